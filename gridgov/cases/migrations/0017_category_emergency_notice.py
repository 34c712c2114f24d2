from django.db import migrations, models


def shipped_notices(apps, schema_editor):
    """The shipped catalogue's emergency notices (燃气泄漏, 路面塌陷, 火灾隐患...) on the categories a
    town already has: the field is new, so there is no town edit to respect yet. Later loads set
    it only on new or reset categories (gridgov.cases.catalogue)."""
    from gridgov.cases.catalogue import entries

    Category = apps.get_model("cases", "Category")
    for entry in entries():
        if entry.get("emergency_notice"):
            Category.objects.filter(kind=entry["kind"], major_code=entry["major_code"],
                                    minor_code=entry["minor_code"], emergency_notice="").update(
                emergency_notice=entry["emergency_notice"])


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0016_event_reply"),
    ]

    operations = [
        migrations.AddField(
            model_name="category",
            name="emergency_notice",
            field=models.CharField(blank=True, help_text="居民选择此类问题时，在填写前醒目提示，如“紧急情况请立即拨打 110 / 119 / 962777”；空则不提示", max_length=200, verbose_name="紧急提示"),
        ),
        migrations.RunPython(shipped_notices, migrations.RunPython.noop),
    ]
