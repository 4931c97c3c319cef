from django.apps import AppConfig


class BriefingsConfig(AppConfig):
    name = "briefings"
    verbose_name = "Briefings"

    def ready(self):
        from django.urls import register_converter

        from config.converters import DigitsConverter, Int32Converter, Int64Converter

        # Registered here, before any URLconf (the admin's included) is built.
        register_converter(Int32Converter, "int32")
        register_converter(Int64Converter, "int64")
        register_converter(DigitsConverter, "digits")

        # Every app's admin module has been imported by now (django.contrib.admin
        # comes first in INSTALLED_APPS): guard every changelist, third-party ones too.
        from briefings.admin.guards import guard_admin_site

        guard_admin_site()
