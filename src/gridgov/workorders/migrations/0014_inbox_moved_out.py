"""The notices and commands moved to the inbox app (`gridgov.inbox`, its 0001): gone from the
work orders' state only; their tables stay, now the inbox's."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("workorders", "0013_event_media_url"),
        ("inbox", "0001_initial"),
        ("meetings", "0002_command_in_inbox"),
        ("emergency", "0004_command_in_inbox"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name="CommandAttachment"),
                migrations.DeleteModel(name="CommandRecipient"),
                migrations.DeleteModel(name="Notification"),
                migrations.DeleteModel(name="Command"),
            ],
        ),
    ]
