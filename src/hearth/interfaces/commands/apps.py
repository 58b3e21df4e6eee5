from django.apps import AppConfig


class CommandsConfig(AppConfig):
    name = "hearth.interfaces.commands"
    label = "commands"
