"""Asynchronous exports (2022-12-16, CONTRACTS.md A.7): ExportCustomerQuotaRecord and
ExportReversedDeductionHistory start a task; QuotaListExportPaged (quota exports) and ListExportTasks (either
kind, by ``SceneCode``) list them.

A task is ``2`` exporting for its ``Cost`` minutes of business time (``POST /_simulator/clock`` moves it), then
``3`` done with a download ``Url`` (A.7.24). Seeded history has a failed task (``-1``). The simulator names the
file and its URL but does not serve the file. A.7.19 gives no ``SceneCode`` values: the simulator's are
``SCENES`` (its choice).
"""

from __future__ import annotations

from typing import Any

from adapters.aliyun.simulator._call import Call, optional_int, own_account, paged, required_int, required_str
from adapters.aliyun.simulator._credit_controls import (
    MAX_PAGE_SIZE,
    deduction_rows,
    language,
    quota_rows,
)
from adapters.aliyun.simulator._records import ExportTask
from adapters.aliyun.simulator._responses import BusinessError, console_time

__all__ = [
    "QUOTA_SCENE",
    "REVERSED_DEDUCTION_SCENE",
    "SCENES",
    "ExportCustomerQuotaRecord",
    "ExportReversedDeductionHistory",
    "ListExportTasks",
    "QuotaListExportPaged",
    "export_file_name",
]

QUOTA_SCENE = "customer_quota_record"
REVERSED_DEDUCTION_SCENE = "reversed_deduction_history"
SCENES = (QUOTA_SCENE, REVERSED_DEDUCTION_SCENE)
#: Estimated minutes: one, and one more per 500 rows.
_ROWS_PER_MINUTE = 500
_STATUS = {  # StatusCode -> Status (display text) and Message per Language (A.7.24)
    "2": {
        "en": ("Exporting", "The file is being exported."),
        "zh": ("导出中", "文件正在导出。"),
        "ja": ("エクスポート中", "ファイルをエクスポートしています。"),
    },
    "3": {
        "en": ("Export Success", "The file is ready to download."),
        "zh": ("导出成功", "文件已可下载。"),
        "ja": ("エクスポート成功", "ファイルをダウンロードできます。"),
    },
    "-1": {
        "en": ("Export Fail", "The export failed. Start a new export."),
        "zh": ("导出失败", "导出失败，请重新导出。"),
        "ja": ("エクスポート失敗", "エクスポートに失敗しました。再度エクスポートしてください。"),
    },
}
_BUCKET = "https://agency-export.oss-cn-hangzhou.aliyuncs.com"


def export_file_name(scene: str, uid: int, first: str, last: str, task_id: int) -> str:
    """``CustomerQuotaRecord_<uid>_<first>_<last>_<task>.xlsx`` (or ``ReversedDeductionHistory_...``)."""
    stem = "CustomerQuotaRecord" if scene == QUOTA_SCENE else "ReversedDeductionHistory"
    return f"{stem}_{uid}_{first.replace('-', '')}_{last.replace('-', '')}_{task_id}.xlsx"


def _start(call: Call, scene: str, uid: int, rows: int) -> ExportTask:
    task_id = call.state.next_id()
    name = export_file_name(scene, uid, call.text("StartDate"), call.text("EndDate"), task_id)
    task = ExportTask(task_id, scene, uid, name, rows, call.state.now(), 1 + rows // _ROWS_PER_MINUTE)
    call.partner.credit_history.exports.append(task)
    call.applied()
    return task


def ExportCustomerQuotaRecord(call: Call) -> dict[str, Any]:
    """A.7.9: export the CustomerQuotaRecordList rows of ``EndUserPk`` (same filters); ``Data.Id`` is the task."""
    account = own_account(call, required_int(call, "EndUserPk"))
    changes, _ = quota_rows(call, account)
    task = _start(call, QUOTA_SCENE, account.uid, len(changes))
    return {"Code": "200", "Msg": "Success", "Data": {"Cost": task.cost_minutes, "Id": task.task_id}}


def ExportReversedDeductionHistory(call: Call) -> dict[str, Any]:
    """A.7.10: export the QueryReversedDeductionHistory rows of ``ExportUid``."""
    account = own_account(call, required_int(call, "ExportUid"))
    rows = deduction_rows(call, account)
    language(call)
    task = _start(call, REVERSED_DEDUCTION_SCENE, account.uid, len(rows))
    return {"Code": "200", "Message": "Success", "Data": {"Cost": task.cost_minutes, "Id": task.task_id}}


def _row(call: Call, task: ExportTask, lang: str) -> dict[str, Any]:
    code = "3" if call.state.now() >= task.ready_at else "2"
    if task.failed:
        code = "-1"
    status, message = _STATUS[code][lang]
    return {
        "CreateTime": console_time(task.created_at),
        "FileName": task.file_name,
        "Message": message,
        "Status": status,
        "StatusCode": code,
        "Url": f"{_BUCKET}/{call.partner.uid}/{task.file_name}" if code == "3" else "",
    }


def _tasks(call: Call, scene: str) -> list[ExportTask]:
    chosen = [task for task in call.partner.credit_history.exports if task.scene == scene]
    return sorted(chosen, key=lambda task: (task.created_at, task.task_id), reverse=True)


def QuotaListExportPaged(call: Call) -> dict[str, Any]:
    """A.7.24 (GET): the ExportCustomerQuotaRecord tasks. Takes ``CurrentPage``, answers ``PageNo``; its rows
    carry no task ``Id`` (the SDK's model), so match them by ``FileName`` (``export_file_name``)."""
    page = required_int(call, "CurrentPage", low=1)
    size = required_int(call, "PageSize", low=1, high=MAX_PAGE_SIZE)
    lang = language(call)
    tasks = _tasks(call, QUOTA_SCENE)
    rows = [_row(call, task, lang) for task in paged(tasks, page, size)]
    return {"Code": "200", "Msg": "Success", "PageNo": page, "PageSize": size, "Total": len(tasks), "Data": rows}


def ListExportTasks(call: Call) -> dict[str, Any]:
    """A.7.19: the export tasks of one ``SceneCode`` (``SCENES``), or the one with ``Id``."""
    scene = required_str(call, "SceneCode")
    if scene not in SCENES:
        raise BusinessError("InvalidParameter.SceneCode", f"SceneCode must be one of {', '.join(SCENES)}.")
    page = required_int(call, "PageNo", low=1)
    size = required_int(call, "PageSize", low=1, high=MAX_PAGE_SIZE)
    task_id = optional_int(call, "Id")
    lang = language(call)
    tasks = [task for task in _tasks(call, scene) if task_id is None or task.task_id == task_id]
    rows = [{**_row(call, task, lang), "Id": task.task_id} for task in paged(tasks, page, size)]
    return {"Code": "200", "Message": "Success", "PageNo": page, "PageSize": size, "Total": len(tasks),
            "Data": rows}  # fmt: skip
