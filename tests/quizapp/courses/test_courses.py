"""Courses: services, every page × every kind of visitor, quiz visibility, query counts.

The named people: ``owner`` teaches the course, ``other_instructor`` teaches elsewhere, ``member``
is enrolled as a student, ``outsider`` is a student of no course, ``anonymous`` is logged out.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from quizapp.core.errors import ServiceError
from quizapp.core.roles import ADMIN_GROUP, INSTRUCTOR_GROUP, is_admin, is_instructor
from quizapp.courses import selectors as course_selectors
from quizapp.courses import services as courses
from quizapp.models import Attempt, Course, CourseQuiz, Enrollment, Quiz

pytestmark = pytest.mark.django_db

PEOPLE = ["owner", "other_instructor", "member", "outsider", "anonymous"]


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    # Every test makes four or five users; the production hasher would make that seconds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def course(owner, member):
    course = courses.course_create(owner=owner, title="Глубокое обучение", code="dl-2026")
    courses.course_join(user=member, code=course.join_code)
    return course


@pytest.fixture
def quiz(owner):
    return Quiz.objects.create(slug="convolutions", title="Свёртки", owner=owner, is_published=True)


@pytest.fixture
def people(owner, other_instructor, member, outsider):
    return {
        "owner": owner,
        "other_instructor": other_instructor,
        "member": member,
        "outsider": outsider,
        "anonymous": None,
    }


@pytest.fixture
def visit(client, people):
    """A client logged in as one of the named people."""

    def as_(who):
        if people[who] is not None:
            client.force_login(people[who])
        return client

    return as_


def _is_login_redirect(response, url):
    return response.status_code == 302 and response["Location"].startswith(
        f"{reverse('login')}?next="
    )


def _code(call) -> str:
    with pytest.raises(ServiceError) as info:
        call()
    return info.value.code


# --- Roles ------------------------------------------------------------------------------------


def test_role_groups_come_from_the_migration(owner, member, admin_user, django_user_model):
    instructor = Group.objects.get(name=INSTRUCTOR_GROUP)
    admin_group = Group.objects.get(name=ADMIN_GROUP)
    codes = set(instructor.permissions.values_list("codename", flat=True))
    assert {"add_course", "change_course", "view_enrollment", "add_coursequiz"} <= codes
    assert {"add_quiz", "change_question", "view_attempt"} <= codes
    assert not {"change_attempt", "delete_response", "add_enrollment"} & codes
    assert admin_group.permissions.filter(codename="delete_attempt").exists()

    staff = django_user_model.objects.create_user("staff", password="pw-staff-1")
    staff.groups.add(admin_group)
    assert is_instructor(owner) and not is_admin(owner)
    assert not is_instructor(member)
    assert is_admin(admin_user) and is_instructor(admin_user)
    assert is_admin(staff) and is_instructor(staff)


# --- Services ---------------------------------------------------------------------------------


def test_create_makes_a_join_code_and_only_instructors_create(owner, member):
    course = courses.course_create(owner=owner, title=" Курс ", code=" DL-1 ")
    assert course.title == "Курс" and course.code == "dl-1" and course.owner == owner
    assert len(course.join_code) == 8 and course.join_enabled and not course.is_archived
    assert _code(lambda: courses.course_create(owner=member, title="x", code="x")) == (
        "not_instructor"
    )
    assert _code(lambda: courses.course_create(owner=owner, title="y", code="dl-1")) == (
        "course_code_taken"
    )
    assert Course.objects.count() == 1


def test_join_with_wrong_code_is_refused(course, outsider):
    assert _code(lambda: courses.course_join(user=outsider, code="NOPE2345")) == (
        "join_code_invalid"
    )
    assert _code(lambda: courses.course_join(user=outsider, code="  ")) == "join_code_invalid"
    assert not course.enrollments.filter(user=outsider).exists()


def test_join_ignores_case_and_separators(course, outsider):
    typed = f" {course.join_code[:4].lower()}-{course.join_code[4:].lower()} "
    enrollment, created = courses.course_join(user=outsider, code=typed)
    assert created and enrollment.course == course
    assert enrollment.role == Enrollment.Role.STUDENT


def test_join_twice_is_idempotent(course, member):
    enrollment, created = courses.course_join(user=member, code=course.join_code)
    assert not created
    assert Enrollment.objects.filter(course=course, user=member).count() == 1
    assert enrollment.pk == Enrollment.objects.get(course=course, user=member).pk


def test_archived_or_closed_course_refuses_join(course, outsider, member):
    course.is_archived = True
    course.save()
    assert _code(lambda: courses.course_join(user=outsider, code=course.join_code)) == (
        "course_archived"
    )
    # Already a member: still a no-op, not an error.
    assert courses.course_join(user=member, code=course.join_code)[1] is False
    course.is_archived, course.join_enabled = False, False
    course.save()
    assert _code(lambda: courses.course_join(user=outsider, code=course.join_code)) == (
        "join_disabled"
    )
    assert not course.enrollments.filter(user=outsider).exists()


def test_owner_cannot_join_own_course(course, owner):
    assert _code(lambda: courses.course_join(user=owner, code=course.join_code)) == "course_owner"


def test_regenerate_invalidates_the_old_code(course, member, outsider, django_user_model):
    old = course.join_code
    new = courses.join_code_regenerate(course=course)
    course.refresh_from_db()
    assert new != old and course.join_code == new
    assert _code(lambda: courses.course_join(user=outsider, code=old)) == "join_code_invalid"
    assert course.enrollments.filter(user=member).exists()  # members stay
    assert courses.course_join(user=outsider, code=new)[1] is True


def test_leave_and_remove(course, member, outsider):
    assert _code(lambda: courses.course_leave(user=outsider, course=course)) == "not_enrolled"
    courses.course_leave(user=member, course=course)
    assert not course.enrollments.exists()
    enrollment, _ = courses.course_join(user=outsider, code=course.join_code)
    courses.enrollment_remove(enrollment=enrollment)
    assert not course.enrollments.exists()


def test_archived_course_refuses_roster_and_quiz_changes(course, owner, quiz, member):
    courses.course_quiz_assign(course=course, quiz=quiz, by=owner)
    course.is_archived = True
    course.save()
    enrollment = course.enrollments.get(user=member)
    calls = [
        lambda: courses.enrollment_remove(enrollment=enrollment),
        lambda: courses.join_code_regenerate(course=course),
        lambda: courses.course_quiz_assign(course=course, quiz=quiz, by=owner),
        lambda: courses.course_quiz_unassign(course=course, quiz=quiz),
    ]
    assert [_code(call) for call in calls] == ["course_archived"] * 4
    assert course.enrollments.count() == 1 and course.quizzes.count() == 1


def test_assign_own_quizzes_only_admin_any(course, owner, other_instructor, admin_user):
    foreign = Quiz.objects.create(slug="foreign", title="Чужой", owner=other_instructor)
    ownerless = Quiz.objects.create(slug="ownerless", title="Без автора")
    for quiz in (foreign, ownerless):
        assert _code(
            lambda q=quiz: courses.course_quiz_assign(course=course, quiz=q, by=owner)
        ) == ("quiz_not_owned")
    link = courses.course_quiz_assign(course=course, quiz=foreign, by=admin_user)
    assert link.added_by == admin_user
    again = courses.course_quiz_assign(course=course, quiz=foreign, by=admin_user)
    assert again.pk == link.pk
    assert list(course.quizzes.all()) == [foreign]
    courses.course_quiz_unassign(course=course, quiz=foreign)
    assert _code(lambda: courses.course_quiz_unassign(course=course, quiz=foreign)) == (
        "quiz_not_assigned"
    )


def test_update_refuses_a_taken_code(course, owner):
    other = courses.course_create(owner=owner, title="Второй", code="second")
    fields = {"title": "Второй", "description": "", "join_enabled": True, "is_archived": False}
    assert _code(lambda: courses.course_update(course=other, code="DL-2026", **fields)) == (
        "course_code_taken"
    )
    courses.course_update(course=other, code="second-2", **fields)
    assert Course.objects.get(pk=other.pk).code == "second-2"


# --- Access helper ----------------------------------------------------------------------------


def test_course_for_user_404_for_strangers_403_for_members(
    course, owner, other_instructor, member, outsider, admin_user, rf
):
    from django.contrib.auth.models import AnonymousUser
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    assert course_selectors.course_for_user(owner, course.pk, manage=True).viewer_can_manage
    assert course_selectors.course_for_user(admin_user, course.pk, manage=True).viewer_can_manage
    seen = course_selectors.course_for_user(member, course.pk)
    assert seen.viewer_role == "student" and not seen.viewer_can_manage
    with pytest.raises(PermissionDenied):
        course_selectors.course_for_user(member, course.pk, manage=True)
    for stranger in (other_instructor, outsider, AnonymousUser()):
        for manage in (False, True):
            with pytest.raises(Http404):
                course_selectors.course_for_user(stranger, course.pk, manage=manage)
    with pytest.raises(Http404):
        course_selectors.course_for_user(owner, course.pk + 1000)


# --- Pages: who gets what ---------------------------------------------------------------------


@pytest.mark.parametrize("who", PEOPLE)
def test_course_list_page(visit, course, who):
    response = visit(who).get(reverse("courses"))
    if who == "anonymous":
        assert _is_login_redirect(response, reverse("courses"))
        return
    assert response.status_code == 200
    html = response.content.decode()
    assert ("Глубокое обучение" in html) == (who in ("owner", "member"))
    assert ("Создать курс" in html) == (who in ("owner", "other_instructor"))
    assert 'name="code"' in html  # everyone logged in can join by code


def test_course_list_of_admin_shows_every_course(client, course, admin_user):
    client.force_login(admin_user)
    html = client.get(reverse("courses")).content.decode()
    assert "Все курсы" in html and "Глубокое обучение" in html


@pytest.mark.parametrize(
    "who,status",
    [("owner", 200), ("other_instructor", 200), ("member", 403), ("outsider", 403)],
)
def test_create_page(visit, who, status):
    assert visit(who).get(reverse("course-create")).status_code == status
    response = visit(who).post(
        reverse("course-create"), {"title": "Новый", "code": "New-1", "join_enabled": "on"}
    )
    created = Course.objects.filter(code="new-1").first()
    if status == 200:
        assert response.status_code == 302 and response["Location"] == created.get_absolute_url()
        assert (
            created.owner.username
            == {"owner": "owner", "other_instructor": "other_instructor"}[who]
        )
        assert created.join_enabled
    else:
        assert response.status_code == 403 and created is None


def test_create_page_anonymous_and_form_errors(client, owner, course):
    assert _is_login_redirect(client.get(reverse("course-create")), reverse("course-create"))
    client.force_login(owner)
    response = client.post(reverse("course-create"), {"title": "", "code": "DL-2026"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Обязательное поле." in html and "Этот код уже занят другим курсом." in html
    assert Course.objects.count() == 1


@pytest.mark.parametrize(
    "who,status",
    [("owner", 200), ("other_instructor", 404), ("member", 200), ("outsider", 404)],
)
def test_course_page(visit, course, quiz, who, status):
    CourseQuiz.objects.create(course=course, quiz=quiz)
    response = visit(who).get(course.get_absolute_url())
    assert response.status_code == status
    if status == 200:
        html = response.content.decode()
        assert "Свёртки" in html
        manages = who == "owner"
        assert (course.join_code in html) == manages
        assert ("Исключить member" in html) == manages
        assert ("Покинуть курс" in html) == (who == "member")


def test_course_page_anonymous(client, course):
    assert _is_login_redirect(client.get(course.get_absolute_url()), course.get_absolute_url())


def test_course_page_hides_unpublished_quizzes_from_students(visit, course, quiz):
    quiz.is_published = False
    quiz.save()
    CourseQuiz.objects.create(course=course, quiz=quiz)
    assert "Свёртки" not in visit("member").get(course.get_absolute_url()).content.decode()
    html = visit("owner").get(course.get_absolute_url()).content.decode()
    assert "Свёртки" in html and "не опубликован" in html


def test_assistant_sees_the_roster_but_changes_nothing(client, course, member, outsider):
    courses.course_join(user=outsider, code=course.join_code)
    Enrollment.objects.filter(user=outsider).update(role=Enrollment.Role.ASSISTANT)
    client.force_login(outsider)
    html = client.get(course.get_absolute_url()).content.decode()
    assert "Участники" in html and "member" in html and "исключить" not in html
    enrollment = course.enrollments.get(user=member)
    url = reverse("course-member-remove", args=[course.pk, enrollment.pk])
    assert client.post(url).status_code == 403
    assert course.enrollments.filter(user=member).exists()


@pytest.mark.parametrize(
    "who,status",
    [("owner", 200), ("other_instructor", 404), ("member", 403), ("outsider", 404)],
)
def test_edit_page(visit, course, who, status):
    url = reverse("course-edit", args=[course.pk])
    assert visit(who).get(url).status_code == status
    data = {"title": "Переименован", "code": "dl-2026", "description": "", "join_enabled": ""}
    response = visit(who).post(url, data)
    course.refresh_from_db()
    if status == 200:
        assert response.status_code == 302
        assert course.title == "Переименован" and not course.join_enabled
    else:
        assert response.status_code == status
        assert course.title == "Глубокое обучение" and course.join_enabled


def test_edit_page_anonymous_and_archive(client, course, owner, outsider):
    url = reverse("course-edit", args=[course.pk])
    assert _is_login_redirect(client.post(url, {"title": "x", "code": "x"}), url)
    client.force_login(owner)
    data = {"title": "Глубокое обучение", "code": "dl-2026", "join_enabled": "on"}
    client.post(url, {**data, "is_archived": "on"})
    course.refresh_from_db()
    assert course.is_archived
    html = client.get(course.get_absolute_url()).content.decode()
    assert "Курс в архиве" in html and "Выпустить новый код" not in html
    client.force_login(outsider)
    response = client.post(reverse("course-join"), {"code": course.join_code}, follow=True)
    assert "Курс в архиве" in response.content.decode()
    assert not course.enrollments.filter(user=outsider).exists()


@pytest.mark.parametrize("who", PEOPLE)
def test_regenerate_code(visit, course, who):
    old = course.join_code
    url = reverse("course-code-regenerate", args=[course.pk])
    response = visit(who).post(url)
    course.refresh_from_db()
    expected = {"owner": 302, "other_instructor": 404, "member": 403, "outsider": 404}
    if who == "anonymous":
        assert _is_login_redirect(response, url)
    else:
        assert response.status_code == expected[who]
    assert (course.join_code != old) == (who == "owner")


def test_regenerate_code_is_post_only(visit, course):
    old = course.join_code
    response = visit("owner").get(reverse("course-code-regenerate", args=[course.pk]))
    assert response.status_code == 405
    course.refresh_from_db()
    assert course.join_code == old


@pytest.mark.parametrize("who", PEOPLE)
def test_remove_member(visit, course, member, who):
    enrollment = course.enrollments.get(user=member)
    url = reverse("course-member-remove", args=[course.pk, enrollment.pk])
    response = visit(who).post(url)
    expected = {"owner": 302, "other_instructor": 404, "member": 403, "outsider": 404}
    if who == "anonymous":
        assert _is_login_redirect(response, url)
    else:
        assert response.status_code == expected[who]
    assert course.enrollments.filter(user=member).exists() == (who != "owner")


def test_remove_member_of_another_course_is_404(visit, course, owner, outsider):
    other = courses.course_create(owner=owner, title="Другой", code="other")
    enrollment, _ = courses.course_join(user=outsider, code=other.join_code)
    url = reverse("course-member-remove", args=[course.pk, enrollment.pk])
    assert visit("owner").post(url).status_code == 404
    assert Enrollment.objects.filter(pk=enrollment.pk).exists()


@pytest.mark.parametrize("who", PEOPLE)
def test_assign_quiz(visit, course, quiz, who):
    url = reverse("course-quiz-assign", args=[course.pk])
    response = visit(who).post(url, {"quiz": quiz.pk})
    expected = {"owner": 302, "other_instructor": 404, "member": 403, "outsider": 404}
    if who == "anonymous":
        assert _is_login_redirect(response, url)
    else:
        assert response.status_code == expected[who]
    assert course.quizzes.filter(pk=quiz.pk).exists() == (who == "owner")


def test_assign_someone_elses_or_missing_quiz(visit, course, other_instructor):
    foreign = Quiz.objects.create(slug="foreign", title="Чужой", owner=other_instructor)
    url = reverse("course-quiz-assign", args=[course.pk])
    client = visit("owner")
    response = client.post(url, {"quiz": foreign.pk}, follow=True)
    assert "Назначать можно только свои тесты." in response.content.decode()
    assert client.post(url, {"quiz": "x"}).status_code == 404
    assert client.post(url, {"quiz": 99999}).status_code == 404
    assert not course.quizzes.exists()
    html = client.get(course.get_absolute_url()).content.decode()
    assert "Чужой" not in html  # not offered in the assign form either


@pytest.mark.parametrize("who", PEOPLE)
def test_unassign_quiz(visit, course, quiz, who):
    CourseQuiz.objects.create(course=course, quiz=quiz)
    url = reverse("course-quiz-unassign", args=[course.pk, quiz.pk])
    response = visit(who).post(url)
    expected = {"owner": 302, "other_instructor": 404, "member": 403, "outsider": 404}
    if who == "anonymous":
        assert _is_login_redirect(response, url)
    else:
        assert response.status_code == expected[who]
    assert course.quizzes.filter(pk=quiz.pk).exists() == (who != "owner")


@pytest.mark.parametrize("who", PEOPLE)
def test_leave(visit, course, who):
    url = reverse("course-leave", args=[course.pk])
    response = visit(who).post(url)
    expected = {"owner": 302, "other_instructor": 404, "member": 302, "outsider": 404}
    if who == "anonymous":
        assert _is_login_redirect(response, url)
    else:
        assert response.status_code == expected[who]
    # The owner is not enrolled: they get a message, and nothing changes.
    assert course.enrollments.filter(user__username="member").exists() == (who != "member")


@pytest.mark.parametrize("who", PEOPLE)
def test_join_by_code_form(visit, course, people, who):
    url = reverse("course-join")
    response = visit(who).post(url, {"code": course.join_code.lower()})
    if who == "anonymous":
        assert _is_login_redirect(response, url)
        return
    assert response.status_code == 302
    user = people[who]
    if who == "owner":
        assert response["Location"] == reverse("courses")
        assert not course.enrollments.filter(user=user).exists()
    else:
        assert response["Location"] == course.get_absolute_url()
        assert course.enrollments.filter(user=user).count() == 1


def test_join_with_a_wrong_code_shows_the_reason(visit, course, outsider):
    response = visit("outsider").post(reverse("course-join"), {"code": "WRONG234"}, follow=True)
    assert "Курса с таким кодом нет" in response.content.decode()
    assert not course.enrollments.filter(user=outsider).exists()


@pytest.mark.parametrize(
    "who,status", [("owner", 302), ("other_instructor", 200), ("member", 302), ("outsider", 200)]
)
def test_join_link_page(visit, course, people, who, status):
    url = course.get_join_url()
    response = visit(who).get(url)
    assert response.status_code == status
    if status == 302:
        assert response["Location"] == course.get_absolute_url()
    else:
        assert "Записаться" in response.content.decode()
        # Opening the link enrolls nobody: a link preview must not join the course.
        assert not course.enrollments.filter(user=people[who]).exists()


def test_join_link_for_anonymous_logs_in_then_joins(client, course, outsider):
    url = course.get_join_url()
    response = client.get(url)
    assert _is_login_redirect(response, url)
    login = client.post(
        response["Location"], {"username": "outsider", "password": "pw-outsider-1", "next": url}
    )
    assert login.status_code == 302 and login["Location"] == url
    assert "Глубокое обучение" in client.get(url).content.decode()
    joined = client.post(url)
    assert joined.status_code == 302 and joined["Location"] == course.get_absolute_url()
    assert course.enrollments.filter(user=outsider, role="student").exists()


def test_old_join_link_is_404_after_regenerate(visit, course, outsider):
    old = course.get_join_url()
    courses.join_code_regenerate(course=course)
    client = visit("outsider")
    response = client.get(old)
    assert response.status_code == 404 and "Приглашение не найдено" in response.content.decode()
    client.post(old)
    assert not course.enrollments.filter(user=outsider).exists()


# --- Quiz visibility --------------------------------------------------------------------------


@pytest.fixture
def public_quiz(db):
    return Quiz.objects.create(
        slug="public", title="Открытый тест", is_published=True, is_open=True
    )


@pytest.fixture
def course_quiz(course, quiz):
    CourseQuiz.objects.create(course=course, quiz=quiz)
    return quiz


@pytest.mark.parametrize(
    "who,sees",
    [("owner", True), ("other_instructor", False), ("member", True), ("outsider", False)],
)
def test_home_shows_course_quizzes_to_members_only(visit, public_quiz, course_quiz, who, sees):
    html = visit(who).get(reverse("home")).content.decode()
    assert "Открытый тест" in html
    assert ("Свёртки" in html) == sees


def test_home_for_anonymous_and_admin(client, public_quiz, course_quiz, admin_user):
    # An open quiz is for everybody logged in; a visitor sees no quiz at all.
    html = client.get(reverse("home")).content.decode()
    assert "Открытый тест" not in html and "Свёртки" not in html
    client.force_login(admin_user)
    assert "Свёртки" in client.get(reverse("home")).content.decode()


def test_quiz_owner_sees_own_course_quiz_in_someone_elses_course(
    other_instructor, owner, outsider, admin_user
):
    quiz = Quiz.objects.create(slug="mine", title="Мой", owner=other_instructor, is_published=True)
    course = courses.course_create(owner=owner, title="Чужой курс", code="theirs")
    courses.course_quiz_assign(course=course, quiz=quiz, by=admin_user)
    assert list(course_selectors.quizzes_visible_to(other_instructor)) == [quiz]
    assert list(course_selectors.quizzes_visible_to(owner)) == [quiz]
    assert list(course_selectors.quizzes_visible_to(outsider)) == []


def test_visible_quizzes_have_no_duplicates(owner, member, quiz, public_quiz):
    for code in ("a", "b"):
        course = courses.course_create(owner=owner, title=code, code=code)
        courses.course_join(user=member, code=course.join_code)
        courses.course_quiz_assign(course=course, quiz=quiz, by=owner)
    from quizapp.courses.selectors import quizzes_visible_to

    assert list(quizzes_visible_to(member)) == [public_quiz, quiz]  # by title
    quiz.is_published = False
    quiz.save()
    assert list(quizzes_visible_to(member)) == [public_quiz]


def test_removed_student_loses_the_course_quiz(course, member, course_quiz):
    assert list(course_selectors.quizzes_visible_to(member)) == [course_quiz]
    courses.course_leave(user=member, course=course)
    assert list(course_selectors.quizzes_visible_to(member)) == []


def test_attempt_start_refuses_a_quiz_the_user_cannot_see(
    client, course, demo_quiz, member, outsider
):
    Quiz.objects.filter(pk=demo_quiz.pk).update(is_open=False)  # the demo quiz is open to all
    CourseQuiz.objects.create(course=course, quiz=demo_quiz)
    url = reverse("attempt-start", args=[demo_quiz.slug])
    client.force_login(outsider)
    assert client.post(url).status_code == 404
    assert not Attempt.objects.exists()
    client.force_login(member)
    assert client.post(url).status_code == 302
    assert Attempt.objects.filter(user=member, quiz=demo_quiz).count() == 1


def test_quiz_page_of_a_course_quiz_is_404_for_strangers(client, course_quiz, outsider, member):
    url = reverse("quiz", args=[course_quiz.slug])
    assert client.get(url).url.startswith(reverse("login"))
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(member)
    assert client.get(url).status_code == 200


# --- Query counts -----------------------------------------------------------------------------


def _fill(course, owner, django_user_model, *, students=15, quizzes=6):
    for i in range(students):
        user = django_user_model.objects.create_user(f"s{i:02}")
        courses.course_join(user=user, code=course.join_code)
    for i in range(quizzes):
        quiz = Quiz.objects.create(slug=f"q{i}", title=f"Тест {i}", owner=owner)
        courses.course_quiz_assign(course=course, quiz=quiz, by=owner)
    Quiz.objects.create(slug="spare", title="Свободный", owner=owner)


def test_course_page_queries_do_not_grow(
    client, course, owner, member, django_user_model, django_assert_max_num_queries
):
    _fill(course, owner, django_user_model)
    client.force_login(owner)
    # session, user, groups, course (+ own role), quizzes, roster, assignable quizzes
    with django_assert_max_num_queries(8):
        page = client.get(course.get_absolute_url())
    assert page.status_code == 200 and page.content.decode().count("исключить</button>") == 16
    client.force_login(member)
    with django_assert_max_num_queries(6):
        assert client.get(course.get_absolute_url()).status_code == 200


def test_course_list_queries_do_not_grow(
    client, owner, member, django_user_model, django_assert_max_num_queries
):
    for i in range(8):
        course = courses.course_create(owner=owner, title=f"Курс {i}", code=f"c{i}")
        courses.course_join(user=member, code=course.join_code)
    client.force_login(owner)
    # session, user, groups, courses taught, courses joined
    with django_assert_max_num_queries(5):
        page = client.get(reverse("courses"))
    assert page.content.decode().count("студентов: 1") == 8
    client.force_login(member)
    with django_assert_max_num_queries(5):
        page = client.get(reverse("courses"))
    assert page.content.decode().count("тестов: 0") == 8


def test_the_roster_comes_in_pages(client, owner, course, django_user_model, monkeypatch):
    from quizapp.courses import views

    for k in range(4):
        user = django_user_model.objects.create_user(f"r{k}")
        Enrollment.objects.create(course=course, user=user)
    monkeypatch.setattr(views, "ROSTER_PER_PAGE", 2)
    client.force_login(owner)
    url = reverse("course", args=[course.pk])
    pages = [client.get(url, {"page": n}) for n in (1, 2, 3)]
    names = [[e.user.username for e in p.context["roster"]] for p in pages]
    assert sorted(sum(names, [])) == sorted(["member", "r0", "r1", "r2", "r3"])
    assert [len(n) for n in names] == [2, 2, 1]
    first = pages[0].content.decode()
    assert "Страница 1 из 3" in first and 'rel="next"' in first and "· 5</span>" in first
