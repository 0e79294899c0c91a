"""Console commands: `quarterhour …` standalone, `flask quarterhour …` in a host.

One module per concern (admin, telephony, billing); each command commits what it did.
"""

from flask.cli import AppGroup

from plugin.cli import admin, billing, telephony

commands = AppGroup("quarterhour", help="Quarterhour: timers, contracts, invoices.")
for command in (admin.db_group, admin.create_user_command, admin.create_token_command,
                admin.demo_command, admin.access_command, telephony.import_calls_command,
                telephony.import_tariffs_command, billing.billing_group, billing.export_command,
                billing.invoices_group):
    commands.add_command(command)
