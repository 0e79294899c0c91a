#!/usr/bin/perl
# Print a fresh REST2 auth token for an RT user (run as www-data): perl rt_token.pl agent1
# As ../shared/rt/bootstrap.pl does for root: the user's older tokens go first (each one costs
# a bcrypt check per request).
use strict; use warnings;
use lib "/usr/share/request-tracker5/lib";
use RT -init;
my $name = shift or die "usage: rt_token.pl <user name>\n";
my $user = RT::User->new(RT->SystemUser);
$user->Load($name);
die "no RT user $name\n" unless $user->Id;
my $old = RT::AuthTokens->new(RT->SystemUser);
$old->LimitOwner(VALUE => $user->Id);
while (my $t = $old->Next) { $t->Delete }
# made by the system user: an agent may lack the right to manage its own tokens
my ($id, $msg, $authstring) = RT::AuthToken->new(RT->SystemUser)
    ->Create(Owner => $user->Id, Description => 'Quarterhour tests');
die "token create failed: $msg\n" unless $id;
print "$authstring\n";
