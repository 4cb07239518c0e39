from django.apps import AppConfig


class TerritoryConfig(AppConfig):
    name = "gridgov.territory"
    verbose_name = "辖区与网格"
