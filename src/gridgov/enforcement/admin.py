"""The configurable lists: legal bases (法律依据) and case deadlines (办案时限). Cases themselves
change only through their steps (the case pages and the API)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from gridgov.enforcement.models import CaseDeadline, LegalBasis


@admin.register(LegalBasis)
class LegalBasisAdmin(admin.ModelAdmin):
    list_display = ("law", "article", "party_kind", "penalty_min", "penalty_max", "active")
    list_filter = ("law", "active", "party_kind")
    search_fields = ("article", "text")

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False  # decisions cite them: retire one with `active` instead


@admin.register(CaseDeadline)
class CaseDeadlineAdmin(admin.ModelAdmin):
    list_display = ("step", "days", "from_filing", "working_days", "basis")

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
