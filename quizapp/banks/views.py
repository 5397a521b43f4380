"""Bank pages for instructors: thin — check access, call one service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from question_bank import preview, selectors, services
from question_bank.access import bank_for_user, can_manage_bank, upload_for_user
from question_bank.formats.common import split_question
from question_bank.models import Question
from quizapp.banks import selectors as bank_selectors
from quizapp.banks import services as bank_services
from quizapp.banks.forms import BankUploadForm
from quizapp.core.errors import ServiceError
from quizapp.core.roles import instructor_required
from quizapp.core.uploads import too_large_fields
from quizapp.gradebook import rejected
from quizapp.gradebook.views import accept_and_report


@instructor_required
def bank_list(request):
    context = {
        "banks": selectors.bank_list_for_user(user=request.user),
        "uploads": selectors.bank_upload_list(user=request.user),
    }
    return render(request, "question_bank/bank_list.html", context)


@instructor_required
def upload_new(request):
    target_id = request.POST.get("bank") or request.GET.get("bank")
    target = bank_for_user(request.user, _int(target_id), manage=True) if target_id else None
    posted = request.method == "POST"
    form = BankUploadForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        too_large="file" in too_large_fields(request),
    )
    if posted and form.is_valid():
        file = form.cleaned_data["file"]
        try:
            upload = services.bank_upload_create(
                owner=request.user,
                filename=file.name,
                data=file.read(),
                target=target,
                skip_invalid=form.cleaned_data["skip_invalid"],
                essays_as_cards=form.cleaned_data["essays_as_cards"],
            )
        except services.BankError as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("banks:upload", upload_id=upload.pk)
    context = {
        "form": form,
        "target": target,
        "max_mb": f"{services.upload_max_bytes() / 2**20:.3g}",
    }
    return render(request, "question_bank/upload_form.html", context)


@instructor_required
def upload_report(request, upload_id):
    upload = upload_for_user(request.user, upload_id)
    return render(request, "question_bank/upload_report.html", {"upload": upload})


@instructor_required
def upload_progress(request, upload_id):
    upload = upload_for_user(request.user, upload_id)
    return JsonResponse(
        {
            "status": upload.status,
            "status_display": upload.get_status_display(),
            "active": upload.is_active,
            "done": upload.progress_done,
            "total": upload.progress_total,
            "percent": upload.percent,
        }
    )


@instructor_required
@require_POST
def upload_publish(request, upload_id):
    upload = upload_for_user(request.user, upload_id)
    try:
        services.bank_upload_publish(upload=upload)
    except services.BankError as exc:
        messages.error(request, exc.message)
    return redirect("banks:upload", upload_id=upload.pk)


@instructor_required
def upload_preview(request, upload_id, index):
    upload = upload_for_user(request.user, upload_id)
    questions = (upload.parsed or {}).get("questions") or []
    if not 0 <= index < len(questions):
        raise Http404(_("Вопрос не найден"))
    meta, spec = split_question(questions[index])
    context = {
        "upload": upload,
        "title": meta.get("title") or meta.get("slug"),
        "slug": meta.get("slug"),
        "back_url": reverse("banks:upload", args=[upload.pk]),
        "back_title": upload.filename,
    }
    return _preview(request, spec, context)


@instructor_required
def bank_detail(request, bank_id):
    bank = bank_for_user(request.user, bank_id)
    context = {
        "bank": bank,
        "can_manage": can_manage_bank(request.user, bank),
        **bank_selectors.bank_overview(bank=bank, user=request.user),
    }
    return render(request, "question_bank/bank_detail.html", context)


@instructor_required
@require_POST
def bank_archive(request, bank_id):
    bank = bank_for_user(request.user, bank_id, manage=True)
    archived = request.POST.get("archived") != "0"
    bank_services.bank_archive(bank=bank, archived=archived)
    if archived:
        messages.success(request, _("Банк отправлен в архив."))
    else:
        messages.success(request, _("Банк возвращён из архива."))
    return redirect("banks:detail", bank_id=bank.pk)


@instructor_required
@require_POST
def bank_delete(request, bank_id):
    bank = bank_for_user(request.user, bank_id, manage=True)
    try:
        bank_services.bank_delete(bank=bank)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("banks:detail", bank_id=bank.pk)
    messages.success(request, _("Банк «%(title)s» удалён.") % {"title": bank.title})
    return redirect("banks:list")


@instructor_required
def question_preview(request, bank_id, question_id):
    bank = bank_for_user(request.user, bank_id)
    question = get_object_or_404(bank.questions, pk=question_id)
    versions = list(question.versions.order_by("-number"))
    version = next((v for v in versions if v.pk == _int(request.GET.get("version"))), versions[0])
    context = {
        "bank": bank,
        "question": question,
        "version": version,
        "versions": versions,
        "title": question.title,
        "slug": question.slug,
        "back_url": reverse("banks:detail", args=[bank.pk]),
        "back_title": bank.title,
    }
    return _preview(request, version.spec, context)


def _text_question(request, bank_id, question_id):
    bank = bank_for_user(request.user, bank_id)
    return get_object_or_404(bank.questions, pk=question_id, kind=Question.Kind.SHORT_TEXT)


@instructor_required
def question_rejected(request, bank_id, question_id):
    """One short text question's most often refused answers (quizzes and practice), paged."""
    question = _text_question(request, bank_id, question_id)
    entry = rejected.question_rejected_answers(question=question, user=request.user, limit=None)
    page = Paginator(entry.groups, rejected.GROUPS_PER_PAGE).get_page(request.GET.get("page"))
    entry.groups = page.object_list
    context = {
        "bank": question.bank,
        "entries": [entry],
        "page": page,
        "page_query": "",
        "accept_url": reverse("banks:rejected-accept", args=[question.bank_id, question.pk]),
    }
    return render(request, "instructor/rejected_answers.html", context)


@instructor_required
@require_POST
def question_rejected_accept(request, bank_id, question_id):
    question = _text_question(request, bank_id, question_id)
    accept_and_report(request, question=question)
    return redirect("banks:rejected", bank_id=question.bank_id, question_id=question.pk)


def _preview(request, spec: dict, context: dict):
    count = preview.preview_count(request.GET.get("n"))
    start = preview.preview_start(request.GET.get("start"))
    seeds = preview.seeds_for(spec, count=count, start=start)
    variants = preview.template_variants(spec=spec, seeds=seeds)
    check_seed = _int(request.GET.get("check_seed"))
    if check_seed is not None and "raw" in request.GET:
        for variant in variants:
            if variant["seed"] == check_seed:
                variant["check"] = preview.check_answer(
                    spec=spec, seed=check_seed, raw=request.GET["raw"]
                )
                variant["check_raw"] = request.GET["raw"]
    context |= {
        "spec": spec,
        "variants": variants,
        "count": count,
        "start": start,
        "is_template": bool(spec.get("params")),
        "kind_label": dict(Question.Kind.choices).get(spec.get("kind"), spec.get("kind")),
        "next_start": start + count,
        "max_count": preview.MAX_COUNT,
    }
    return render(request, "question_bank/preview.html", context)


def _int(raw) -> int | None:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None
