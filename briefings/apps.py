from django.apps import AppConfig


class BriefingsConfig(AppConfig):
    name = "briefings"
    verbose_name = "Briefings"

    def ready(self):
        from django.urls import register_converter

        from config.converters import Int32Converter, Int64Converter

        # Registered here, before any URLconf (the admin's included) is built.
        register_converter(Int32Converter, "int32")
        register_converter(Int64Converter, "int64")
