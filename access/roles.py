"""The roles of the dashboard and what each may see (docs/access.md)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    DISTRICT_LEADER = "district_leader"  # every ward, aggregates only
    WARD_OFFICER = "ward_officer"  # one ward: its aggregates and its children to follow up
    PROTECTION_OFFICER = "protection_officer"  # protection cases of one ward, or of the district
    DATA_ENGINEER = "data_engineer"  # data-quality detail of every ward, no names
    OFFICE = "office"  # a sector office: sends its own source's extracts, sees only its own submissions


ROLE_NAMES = {
    Role.DISTRICT_LEADER: ("Lãnh đạo quận", "District leader"),
    Role.WARD_OFFICER: ("Cán bộ phường", "Ward officer"),
    Role.PROTECTION_OFFICER: ("Cán bộ bảo vệ trẻ em", "Child-protection officer"),
    Role.DATA_ENGINEER: ("Kỹ sư dữ liệu", "Data engineer"),
    Role.OFFICE: ("Đơn vị gửi số liệu", "Reporting office"),
}


class AccountError(ValueError):
    """An account cannot be made or changed as asked; the message (Vietnamese) says why."""


def check_scope(role: Role, ward_code: str | None, source: str | None = None, per_ward: bool = False) -> None:
    """A ward officer needs a ward; a protection officer may have one (else the district); the
    district's leaders and data engineers have none. An office sends one source (``per_ward``: a source
    each ward sends, so the office is a ward's), and only an office has a source."""
    if role == Role.OFFICE:
        if not source:
            raise AccountError("Tài khoản đơn vị gửi số liệu phải có nguồn dữ liệu (--source).")
        if per_ward and not ward_code:
            raise AccountError(f"Nguồn '{source}' do từng phường gửi: tài khoản cần mã phường (--ward).")
        if not per_ward and ward_code:
            raise AccountError(f"Nguồn '{source}' gửi một tệp cho toàn quận: tài khoản không gắn với phường.")
    elif source:
        raise AccountError("Chỉ tài khoản đơn vị gửi số liệu (--role office) gắn với một nguồn (--source).")
    if role == Role.WARD_OFFICER and not ward_code:
        raise AccountError("Cán bộ phường phải có mã phường (--ward).")
    if role in (Role.DISTRICT_LEADER, Role.DATA_ENGINEER) and ward_code:
        raise AccountError(f"Vai trò {ROLE_NAMES[role][0]} xem toàn quận: không gắn với phường.")


@dataclass(frozen=True)
class Viewer:
    """A signed-in person: the role and the ward (None: the whole district) bound every query."""

    username: str
    name: str
    role: Role
    ward_code: str | None = None
    source: str | None = None  # an office's source

    @property
    def sends_extracts(self) -> bool:
        """An office: sends its source's files and sees its own submissions, nothing of the warehouse."""
        return self.role == Role.OFFICE

    @property
    def sees_small_counts(self) -> bool:
        """Protection and injury counts below the threshold are hidden from everyone else."""
        return self.role == Role.PROTECTION_OFFICER

    @property
    def sees_child_lists(self) -> bool:
        """Names of the ward's children who still need something."""
        return self.role == Role.WARD_OFFICER

    @property
    def sees_case_lists(self) -> bool:
        """Protection cases one by one (pseudonymous codes, no names)."""
        return self.role == Role.PROTECTION_OFFICER

    @property
    def sees_quality_detail(self) -> bool:
        """File names, quarantine reasons, check results and the audit log."""
        return self.role == Role.DATA_ENGINEER
