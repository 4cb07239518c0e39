from django.contrib import admin

from gridgov.open311.models import ApiKey


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at"]
    actions = ["revoke"]

    def has_add_permission(self, request):  # keys are issued by `gridgov open311-key create`
        return False

    @admin.action(description="吊销所选密钥")
    def revoke(self, request, queryset):
        for key in queryset:
            key.revoke()
