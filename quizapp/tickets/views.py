"""Printed tickets: the form on the quiz's instructor page, the two PDF downloads, and the key
page a ticket's QR code opens. Owner (or admin) only: a student gets 403, another instructor
404, an anonymous visitor the login page."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render

from quizapp.core.errors import ServiceError
from quizapp.core.roles import instructor_required
from quizapp.courses.selectors import quiz_decimal_mark
from quizapp.quizzes.selectors import quiz_for_user
from quizapp.tickets import forms, pdf, services


@instructor_required
def tickets_form(request, quiz_id):
    quiz = quiz_for_user(request.user, quiz_id)
    form = forms.TicketsForm(quiz=quiz, user=request.user, initial={"batch": services.new_batch()})
    return _form_page(request, quiz, form)


def _form_page(request, quiz, form, status=200):
    context = {"quiz": quiz, "form": form, "max_tickets": services.WEB_MAX_TICKETS}
    return render(request, "instructor/tickets.html", context, status=status)


@instructor_required
def tickets_download(request, quiz_id, what):
    """``tickets.pdf`` or ``keys.pdf`` of one batch: the two downloads of the same form give
    the same tickets (the batch fixes their UUIDs)."""
    quiz = quiz_for_user(request.user, quiz_id)
    if what not in ("tickets", "keys"):
        raise Http404
    form = forms.TicketsForm(request.GET, quiz=quiz, user=request.user)
    if not form.is_valid():
        return _form_page(request, quiz, form, status=400)
    try:
        tickets = services.tickets_build(
            quiz=quiz, limit=services.WEB_MAX_TICKETS, **form.cleaned_data
        )
    except ServiceError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return _form_page(request, quiz, form, status=exc.status)
    decimal = quiz_decimal_mark(quiz=quiz)
    if what == "tickets":
        body = pdf.tickets_pdf(tickets, base_url=request.build_absolute_uri("/"), decimal=decimal)
    else:
        body = pdf.keys_pdf(tickets, decimal=decimal)
    response = HttpResponse(body, content_type="application/pdf")
    name = f"{what}-{quiz.slug}-{form.cleaned_data['batch']}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@instructor_required
def ticket_key(request, quiz_id, token):
    """What a ticket's QR code opens: its questions with keys and worked solutions."""
    quiz = quiz_for_user(request.user, quiz_id)
    try:
        ticket = services.ticket_from_token(quiz=quiz, token=token)
    except ServiceError as exc:
        raise Http404(exc.message) from None
    context = {
        "quiz": quiz,
        "ticket": ticket,
        "worked": services.ticket_worked(ticket),
        "decimal_mark": quiz_decimal_mark(quiz=quiz),
    }
    return render(request, "instructor/ticket_key.html", context)
