from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from mptt.admin import DraggableMPTTAdmin

from orgchart.models import Node
from orgchart.services import tree_lock


@admin.register(Node)
class NodeAdmin(DraggableMPTTAdmin):
    """The tree with drag-and-drop ordering; each write takes the tree lock.

    Every POST (the change form, deletes, actions and drag-and-drop moves) runs
    inside `tree_lock()`, so the form's validation (Node.clean) sees the same
    tree that the save then changes.
    """

    list_display = ("tree_actions", "indented_title", "code", "kind", "position", "is_head")
    list_display_links = ("indented_title",)
    list_filter = ("kind", "is_head", "is_hr", "is_active")
    search_fields = ("code", "name", "user__username")
    raw_id_fields = ("user", "parent")
    mptt_level_indent = 20
    expand_tree_by_default = False

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST":
            with tree_lock():
                return super().changeform_view(request, object_id, form_url, extra_context)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        if request.method == "POST":
            with tree_lock():
                return super().delete_view(request, object_id, extra_context)
        return super().delete_view(request, object_id, extra_context)

    def changelist_view(self, request, extra_context=None):
        if request.method != "POST":
            return super().changelist_view(request, extra_context)
        with tree_lock():
            if request.POST.get("cmd") == "move_node":
                refused = self._refuse_illegal_move(request)
                if refused is not None:
                    return refused
            return super().changelist_view(request, extra_context)

    def _refuse_illegal_move(self, request) -> HttpResponse | None:
        """Check a drag-and-drop move against the tree rules before mptt does it.

        django-mptt moves any node anywhere (a person under a person); the
        domain does not allow that, so the would-be parent is checked first.
        """
        try:
            node = Node.objects.get(pk=request.POST.get("cut_item"))
            target = Node.objects.get(pk=request.POST.get("pasted_on"))
        except (Node.DoesNotExist, TypeError, ValueError):
            return None  # mptt answers "Objects have disappeared"
        position = request.POST.get("position")
        node.parent = target if position == "last-child" else target.parent
        try:
            node.full_clean()
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), level=messages.ERROR)
            return HttpResponse("FAIL, invalid move.")
        return None
