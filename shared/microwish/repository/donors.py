"""The donor's record: PK=DONOR#<sub> SK=RECORD — claim counters (moved in the claims' transactions,
`Transaction.count_donor`), the display name the donor chose, and their opaque `donor_ref`."""

from __future__ import annotations

from typing import Any

from ..models import DonorRecord
from . import keys
from .table import TableStore


class DonorStore(TableStore):
    def record(self, donor_id: str) -> DonorRecord:
        item = self._get(keys.donor_record_key(donor_id)) or {}
        return DonorRecord.model_validate({**item, "donor_id": donor_id})

    def public_face(self, donor_id: str) -> dict[str, Any]:
        """The donor's display_name and donor_ref, as far as they have them."""
        return self._get(keys.donor_record_key(donor_id), projection="display_name, donor_ref") or {}

    def set_display_name(self, donor_id: str, display_name: str | None, new_ref: str) -> None:
        """Set (or with None, clear) the display name; the record gets `new_ref` if it has no ref yet."""
        expression = "SET donor_ref = if_not_exists(donor_ref, :ref)"
        values: dict[str, Any] = {":ref": new_ref}
        if display_name is None:
            expression += " REMOVE display_name"
        else:
            expression += ", display_name = :name"
            values[":name"] = display_name
        self._update_if(keys.donor_record_key(donor_id), expression, None, values)

    def ensure_ref(self, donor_id: str, new_ref: str) -> dict[str, Any]:
        """The donor's record with its donor_ref, `new_ref` if it had none (the same ref ever after)."""
        return (
            self._update_if(
                keys.donor_record_key(donor_id),
                "SET donor_ref = if_not_exists(donor_ref, :ref)",
                None,
                {":ref": new_ref},
                returns="ALL_NEW",
            )
            or {}
        )

    def public_faces(self, donor_ids: list[str]) -> dict[str, dict[str, Any]]:
        """Donor records by id (BatchGetItem, 100 keys a call)."""
        found = self._batch_get([keys.donor_record_key(donor_id) for donor_id in donor_ids])
        return {keys.donor_id_of(item): item for item in found.values()}
