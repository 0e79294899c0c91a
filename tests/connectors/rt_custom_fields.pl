# RT initialdata for the connector tests: the ticket custom field a shop may keep its
# installation in, applied to queue Support (which ../shared/rt/fixtures.pl creates).
# Loaded by tests/connectors/conftest.py: rt-setup-database-5 --action insert --datafile …
@CustomFields = (
    { Name => 'Installation', Type => 'FreeformSingle', LookupType => 'RT::Queue-RT::Ticket',
      Queue => ['Support'], Description => 'The installation a ticket is about' },
);
1;
