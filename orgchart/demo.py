"""Build the demo agency (orgchart.demo_data) idempotently.

Every node is matched by its code and written through `node_save` only when it
differs from the data, so a second run changes nothing. Demo accounts share
one documented password.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils.translation import gettext as _

from orgchart.demo_data import AGENCY, Person, Unit
from orgchart.models import Kind, Node, StaffType
from orgchart.services import node_save, tree_lock

DEMO_PASSWORD = "demo1234"  # noqa: S105 - documented demo password, DEBUG only
ADMIN_USERNAME = "admin"
HEAD_USERNAMES = {Kind.DEPARTMENT: "director", Kind.DIVISION: "div", Kind.GROUP: "grp"}


@dataclass(frozen=True)
class NodeSpec:
    """One node of the demo tree as it should be."""

    code: str
    kind: str
    name: str
    parent_code: str | None
    position: str = ""
    position_level: str = ""
    staff_type: str = StaffType.CIVIL_SERVANT
    is_head: bool = False
    is_hr: bool = False
    username: str = ""
    role: str = ""


@dataclass(frozen=True)
class Login:
    username: str
    role: str
    name: str
    unit: str


@dataclass
class SeedResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    logins: list[Login] = field(default_factory=list)


def _head_role(kind: str) -> str:
    return {
        Kind.DEPARTMENT: _("หัวหน้าส่วนราชการ"),
        Kind.DIVISION: _("หัวหน้าสำนัก/กอง"),
        Kind.GROUP: _("หัวหน้ากลุ่มงาน"),
    }[kind]


def demo_specs(agency: Unit = AGENCY) -> list[NodeSpec]:
    """The agency flattened in tree order (a parent before its children).

    People get codes DEMO-P001... and logins director, div1.., grp1..,
    officer1.. in this order, so the same data always gives the same codes.
    """
    specs: list[NodeSpec] = []
    numbers: Counter[str] = Counter()

    def person(p: Person, unit: Unit, is_head: bool) -> NodeSpec:
        numbers["person"] += 1
        if p.username:
            username = p.username
        elif is_head and unit.kind == Kind.DEPARTMENT:
            username = HEAD_USERNAMES[Kind.DEPARTMENT]
        else:
            prefix = HEAD_USERNAMES[unit.kind] if is_head else "officer"
            numbers[prefix] += 1
            username = f"{prefix}{numbers[prefix]}"
        if is_head:
            role = _head_role(unit.kind)
        elif p.is_hr:
            role = _("เจ้าหน้าที่บุคคล")
        else:
            role = _("ผู้ปฏิบัติงาน")
        return NodeSpec(
            code=f"{agency.code}-P{numbers['person']:03d}",
            kind=Kind.INDIVIDUAL,
            name=p.name,
            parent_code=unit.code,
            position=p.position,
            position_level=p.level,
            staff_type=p.staff_type,
            is_head=is_head,
            is_hr=p.is_hr,
            username=username,
            role=role,
        )

    def walk(unit: Unit, parent_code: str | None) -> None:
        specs.append(NodeSpec(code=unit.code, kind=unit.kind, name=unit.name,
                              parent_code=parent_code))  # fmt: skip
        specs.append(person(unit.head, unit, is_head=True))
        specs.extend(person(p, unit, is_head=False) for p in unit.people)
        for sub in unit.units:
            walk(sub, unit.code)

    walk(agency, None)
    return specs


def _split_name(name: str) -> tuple[str, str]:
    first, _space, last = name.partition(" ")
    return first, last


def _demo_users(specs: list[NodeSpec]) -> dict[str, object]:
    """The demo accounts, created or brought back to the demo password.

    Hashing is slow on purpose (PBKDF2), so the password is hashed once and
    each distinct stored hash is checked once: a second run costs one check.
    """
    user_model = get_user_model()
    wanted = {ADMIN_USERNAME: ("", "")}
    wanted.update({s.username: _split_name(s.name) for s in specs if s.username})
    users = {u.username: u for u in user_model.objects.filter(username__in=wanted)}
    verified: dict[str, bool] = {}
    demo_hash = None
    for username, (first_name, last_name) in wanted.items():
        user = users.get(username) or user_model(username=username)
        changed = user.pk is None
        if user.password not in verified:
            verified[user.password] = bool(user.pk) and user.check_password(DEMO_PASSWORD)
        if not verified[user.password]:
            demo_hash = demo_hash or make_password(DEMO_PASSWORD)
            user.password, changed = demo_hash, True
        is_admin = username == ADMIN_USERNAME
        for attr, value in (
            ("first_name", first_name),
            ("last_name", last_name),
            ("is_active", True),
            ("is_staff", is_admin),
            ("is_superuser", is_admin),
        ):
            if getattr(user, attr) != value:
                setattr(user, attr, value)
                changed = True
        if changed:
            user.save()
        users[username] = user
    return users


def _wanted_fields(spec: NodeSpec, parent: Node | None, user) -> dict:
    return {
        "name": spec.name,
        "kind": spec.kind,
        "parent_id": parent.pk if parent else None,
        "position": spec.position,
        "position_level": spec.position_level,
        "staff_type": spec.staff_type,
        "is_head": spec.is_head,
        "is_hr": spec.is_hr,
        "is_active": True,
        "user_id": user.pk if user else None,
        "email": f"{spec.username}@example.com" if spec.username else "",
    }


def demo_agency_save(*, by=None) -> SeedResult:
    """Create or repair the demo agency and its accounts; return the logins."""
    specs = demo_specs()
    result = SeedResult()
    with tree_lock():
        users = _demo_users(specs)
        existing = {n.code: n for n in Node.objects.filter(code__in=[s.code for s in specs])}
        # Demote first anyone who should no longer head a unit, so that
        # promoting the right person never meets a second head.
        for spec in specs:
            node = existing.get(spec.code)
            if node is not None and node.is_head and not spec.is_head:
                node.is_head = False
                node_save(node=node, by=by)
        nodes: dict[str, Node] = {}
        for spec in specs:
            parent = nodes.get(spec.parent_code) if spec.parent_code else None
            node = existing.get(spec.code) or Node(code=spec.code)
            wanted = _wanted_fields(spec, parent, users.get(spec.username))
            if node.pk is not None and all(getattr(node, k) == v for k, v in wanted.items()):
                result.unchanged += 1
            else:
                if node.pk is None:
                    result.created += 1
                else:
                    result.updated += 1
                for attr, value in wanted.items():
                    setattr(node, attr, value)
                node.parent = parent
                node_save(node=node, by=by)
            nodes[spec.code] = node
    result.logins = _logins(specs, nodes)
    return result


def _logins(specs: list[NodeSpec], nodes: dict[str, Node]) -> list[Login]:
    """admin, hr, the heads from the top down, then the officers."""
    people = [s for s in specs if s.username]

    def order(spec: NodeSpec) -> tuple:
        rank = 0 if spec.is_hr else 1 if spec.is_head else 2
        level = [Kind.DEPARTMENT, Kind.DIVISION, Kind.GROUP].index(nodes[spec.parent_code].kind)
        return (rank, level if spec.is_head else 0, specs.index(spec))

    logins = [Login(ADMIN_USERNAME, _("ผู้ดูแลระบบ"), _("ผู้ดูแลระบบ"), "–")]
    logins += [
        Login(s.username, s.role, s.name, nodes[s.parent_code].name)
        for s in sorted(people, key=order)
    ]
    return logins
