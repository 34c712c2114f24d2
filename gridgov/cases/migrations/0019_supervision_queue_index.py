"""The supervision queue (cases past their warning time) counted and paged from the warning
times of unclosed cases, as the overdue queue is from their deadlines: at a million cases its
count read the town's whole list (0.3 s). New reports have no warning time: none is written
here on intake."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0018_fewer_index_writes_per_report'),
        ('grids', '0002_basemap_addresses'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('closed_at__isnull', True), ('warn_at__isnull', False)), fields=['town', 'warn_at', 'state', 'clock_paused_at', 'due_at', 'reported_at'], name='case_unclosed_warn'),
        ),
    ]
