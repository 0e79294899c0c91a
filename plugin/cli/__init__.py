"""Console commands: `quarterhour …` standalone, `flask quarterhour …` in a host.

One module per concern (admin, telephony, billing); each command commits what it did.
"""

from flask.cli import AppGroup

from plugin.cli import admin, billing, profitability, statements, telephony
from plugin.cli.helpdesk import helpdesk_group

commands = AppGroup("quarterhour", help="Quarterhour: timers, contracts, invoices.")
for command in (admin.db_group, admin.create_user_command, admin.create_token_command,
                admin.demo_command, admin.access_command, telephony.import_calls_command,
                telephony.import_tariffs_command, billing.billing_group, billing.export_command,
                statements.statements_group, statements.dashboard_command,
                admin.disable_user_command, admin.enable_user_command,
                admin.reset_password_command):
    commands.add_command(command)
commands.add_command(helpdesk_group)  # helpdesk connectors (issue 16)
# PRODUCT.md §5: the profitability checks and their tasks.
for command in (profitability.profitability_group, profitability.tasks_group,
                billing.invoices_group):
    commands.add_command(command)
