"""Create the Editors and Reviewers groups with their permissions.

Editors edit the working copy; reviewers also publish, revert and delete.
Permissions are created here because post_migrate has not run yet on a
fresh database.
"""

from django.db import migrations

EDITORS = {
    "briefings": [
        "add_briefing", "change_briefing", "view_briefing",
        "add_section", "change_section", "delete_section", "view_section",
        "add_partner", "change_partner", "view_partner",
        "view_publication",
    ],
    "sources": [
        "add_source", "change_source", "view_source",
        "add_reference", "change_reference", "delete_reference", "view_reference",
    ],
}
REVIEWERS = {
    "briefings": EDITORS["briefings"] + ["delete_briefing", "delete_partner", "publish_briefing", "revert_briefing"],
    "sources": EDITORS["sources"] + ["delete_source"],
}


def create_groups(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, grants in (("Editors", EDITORS), ("Reviewers", REVIEWERS)):
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codenames in grants.items():
            permissions = Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
            missing = set(codenames) - set(permissions.values_list("codename", flat=True))
            if missing:
                raise RuntimeError(f"Permissions missing for {app_label}: {sorted(missing)}")
            group.permissions.add(*permissions)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Editors", "Reviewers"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("briefings", "0002_initial"),
        ("sources", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
