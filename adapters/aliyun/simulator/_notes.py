"""Customer notes (2025-02-27): CustomerNoteCreate, CustomerNoteList, CustomerNoteListDetail,
CustomerNoteEdit (A.5.4-A.5.6). Their parameters come in the form body (A.2.2)."""

from __future__ import annotations

from typing import Any

from adapters.aliyun.simulator._call import Call, optional_int, own_account, paged, required_int
from adapters.aliyun.simulator._records import Note
from adapters.aliyun.simulator._responses import BusinessError, console_time, envelope

__all__ = ["CustomerNoteCreate", "CustomerNoteEdit", "CustomerNoteList", "CustomerNoteListDetail"]

MAX_CONTENT = 2000  # simulator choice: the SDK gives no limit


def _content(call: Call, *, required: bool) -> str | None:
    content = call.text("NoteContent")
    if not content:
        if required:
            raise BusinessError("InvalidParameter.NoteContent", "NoteContent is mandatory.")
        return None
    if len(content) > MAX_CONTENT:
        raise BusinessError("InvalidParameter.NoteContent", f"NoteContent is longer than {MAX_CONTENT} characters.")
    return content


def _touch(call: Call) -> int | None:
    return optional_int(call, "TouchDate", low=0)  # Unix milliseconds


def _note(call: Call) -> Note:
    note_id = optional_int(call, "NoteId")
    if note_id is None:
        raise BusinessError("InvalidParameter.NoteId", "NoteId is mandatory.")
    note = next((n for n in call.partner.notes if n.note_id == note_id), None)
    if note is None:
        raise BusinessError("InvalidNoteId.NotFound", "The note does not exist.", http_status=404)
    return note


def CustomerNoteCreate(call: Call) -> dict[str, Any]:
    """A.5.4: ``CustomerUid`` is a string here; ``Data`` is the new note's id."""
    raw_uid = call.text("CustomerUid")
    account = own_account(call, int(raw_uid) if raw_uid.isdigit() else None)
    now = call.state.now()
    note = Note(
        note_id=call.state.next_id(),
        customer_uid=account.uid,
        customer_name=call.text("CustomerName") or account.nickname,
        contact_name=call.text("ContactName"),
        contact_information=call.text("ContactInformation"),
        content=_content(call, required=True) or "",
        touch_date=_touch(call) or int(now.timestamp() * 1000),
        creator=call.partner.uid,
        creator_name=call.partner.login,
        created_at=now,
    )
    call.partner.notes.append(note)
    call.applied()
    return envelope(call.action, Data=note.note_id)


def CustomerNoteList(call: Call) -> dict[str, Any]:
    """A.5.5: the page is an envelope inside ``Data``; ``PageNum`` (not ``PageNo``) from 1."""
    raw_uid = call.text("CustomerUid")
    account = own_account(call, int(raw_uid) if raw_uid.isdigit() else None)
    page = optional_int(call, "PageNum", low=1) or 1
    size = optional_int(call, "PageSize", low=1, high=100) or 20
    notes = sorted((n for n in call.partner.notes if n.customer_uid == account.uid), key=lambda n: n.note_id)
    notes.sort(key=lambda n: n.created_at, reverse=True)
    rows = [
        {
            "NoteId": n.note_id,
            "NoteType": "CUSTOMER",
            "NoteTypeLabel": "客户备注",
            "NoteContent": n.content,
            "ContactName": n.contact_name,
            "Creator": n.creator,
            "CreatorName": n.creator_name,
            "GmtCreate": console_time(n.created_at),
            "TouchDate": str(n.touch_date),
        }
        for n in paged(notes, page, size)
    ]
    inner = envelope(call.action, RequestId=call.request_id, PageNo=page, PageSize=size, Total=len(notes))
    inner["PageInfo"] = {"Page": page, "PageSize": size, "Total": len(notes)}  # deprecated, still sent
    inner["Data"] = rows
    return envelope(call.action, Data=inner)


def CustomerNoteListDetail(call: Call) -> dict[str, Any]:
    """A.5.6: one note, with ``CustomerUid`` as an Integer and no attachments."""
    required_int(call, "NoteId")
    n = _note(call)
    data = {
        "NoteId": n.note_id,
        "NoteType": "CUSTOMER",
        "NoteTypeLabel": "客户备注",
        "NoteContent": n.content,
        "CustomerUid": n.customer_uid,
        "CustomerName": n.customer_name,
        "ContactName": n.contact_name,
        "ContactInformation": n.contact_information,
        "Creator": n.creator,
        "CreatorName": n.creator_name,
        "GmtCreate": console_time(n.created_at),
        "TouchDate": str(n.touch_date),
        "AiResult": "{}",
        "Attachment": [],
    }
    return envelope(call.action, Data=data)


def CustomerNoteEdit(call: Call) -> dict[str, Any]:
    """A.5.6: change content, contact or touch date of a note; the reply has no ``Data``."""
    note = _note(call)
    content = _content(call, required=False)
    if content is not None:
        note.content = content
    for name, attr in (("ContactName", "contact_name"), ("ContactInformation", "contact_information")):
        if call.text(name):
            setattr(note, attr, call.text(name))
    touch = _touch(call)
    if touch is not None:
        note.touch_date = touch
    call.applied()
    return envelope(call.action)
