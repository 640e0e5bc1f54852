"""DRF permission classes built on portfolio.permissions (the same rules the pages use)."""

from rest_framework import permissions

from portfolio.permissions import can_manage_value_stream, can_record_risks_and_dependencies, is_director


class ReadOrDirector(permissions.BasePermission):
    """Everyone logged in reads; only VMO directors write."""

    message = "Only VMO directors may change this."

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        return request.method in permissions.SAFE_METHODS or is_director(request.user)


class ReadOrValueStreamManager(permissions.BasePermission):
    """Everyone logged in reads; writes need the object's value stream to be managed by the user.

    The view must expose `value_stream_id_for(obj)`; creation is checked in the serializer or
    view against the value stream named in the payload.
    """

    message = "Only managers of this value stream and VMO directors may change it."

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated)

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        return can_manage_value_stream(request.user, view.value_stream_id_for(obj))


class ReadOrRiskRecorder(ReadOrValueStreamManager):
    """Risks and dependencies: program managers record them too (the roles say so); removing a
    dependency stays with the stream's managers and directors."""

    message = (
        "Only managers of this value stream, VMO directors and program managers record its risks and dependencies."
    )

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        value_stream_id = view.value_stream_id_for(obj)
        if request.method == "DELETE":
            return can_manage_value_stream(request.user, value_stream_id)
        return can_record_risks_and_dependencies(request.user, value_stream_id)
