"""Spreadsheets in and out: import people from CSV (dry run, then confirm), export CSV."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from buddy.extensions import csrf
from buddy.forms.spreadsheets import IMPORT_MAX_BYTES, ImportConfirmForm, ImportUploadForm
from buddy.models import Role
from buddy.services import spreadsheet_export, spreadsheets
from buddy.services.paging import page_number
from buddy.views.access import role_required

bp = Blueprint("spreadsheets", __name__, url_prefix="/coord")


def _csv(text_or_chunks, filename: str) -> Response:
    return Response(text_or_chunks, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store"})


@bp.route("/import", methods=["GET", "POST"])
@csrf.exempt  # the upload is larger than the global limit: the form checks its own token
@role_required(Role.COORDINATOR)
def upload():
    """Upload a CSV file of newcomers or volunteers; the dry run follows."""
    request.max_content_length = 2 * IMPORT_MAX_BYTES  # the form says when it is too large
    form = ImportUploadForm()
    if form.validate_on_submit():
        try:
            import_id = spreadsheets.upload(form.kind.data, form.file.data.filename,
                                            form.file.data.read(IMPORT_MAX_BYTES + 1))
        except spreadsheets.ImportFileError as error:
            form.file.errors.append(error.message)
        else:
            return redirect(url_for(".show", import_id=import_id))
    return render_template("coord/import.html", form=form, exports=spreadsheet_export.KINDS)


@bp.get("/import/<import_id>")
@role_required(Role.COORDINATOR)
def show(import_id: str):
    """The dry run of an upload, or the progress and result of its import."""
    try:
        state = spreadsheets.status(import_id)
        if state.state != "uploaded":
            return render_template("coord/import_status.html", state=state)
        preview = spreadsheets.dry_run(import_id)
    except spreadsheets.ImportNotFound:
        abort(404)
    only_errors = request.args.get("errors") == "1"
    page = preview.page(page_number(request.args.get("page")), only_errors)
    return render_template("coord/import_preview.html", preview=preview, page=page,
                           only_errors=only_errors, form=ImportConfirmForm(digest=preview.digest))


@bp.post("/import/<import_id>/confirm")
@role_required(Role.COORDINATOR)
def confirm(import_id: str):
    """Write the rows without errors (in the background for a large file)."""
    form = ImportConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        if spreadsheets.is_large(import_id):
            spreadsheets.confirm_in_background(current_app._get_current_object(), import_id,
                                               current_user.id, form.digest.data,
                                               str(get_locale()))
        else:
            spreadsheets.confirm(import_id, current_user, form.digest.data)
    except spreadsheets.ImportNotFound:
        abort(404)
    except spreadsheets.ImportBusy:
        flash(_("This file is already being imported."), "error")
    except spreadsheets.ImportChanged:
        flash(_("Something changed since the check. Please look at the rows again."), "error")
    return redirect(url_for(".show", import_id=import_id))


@bp.get("/import/template/<kind>.csv")
@role_required(Role.COORDINATOR)
def template(kind: str):
    """An empty CSV file with the columns and one example row."""
    if kind not in spreadsheets.KINDS:
        abort(404)
    return _csv(spreadsheets.template_csv(kind), f"buddy-{kind}s-template.csv")


@bp.post("/export/<what>.csv")
@role_required(Role.COORDINATOR)
def export(what: str):
    """People, matches or sessions as CSV (personal data: written to the audit log, so a
    POST: reading a page never changes anything)."""
    if what not in spreadsheet_export.KINDS:
        abort(404)
    result = spreadsheet_export.export(what, current_user)
    return _csv(stream_with_context(result.chunks), f"buddy-{result.filename}")
