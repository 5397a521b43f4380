"""Errors of the services: a machine-readable ``code`` and a Russian message for people.

Every code is a member of :class:`ErrorCode`. A member is the code string itself (a ``StrEnum``,
so ``ErrorCode.TIME_OVER == "time_over"`` and JSON shows the plain string) and carries the HTTP
status the API answers with, the default Russian message (through gettext, so an English UI can
translate it) and the fixed English text the API adds as ``message_en`` for integrations' logs.
"""

from __future__ import annotations

import enum

from django.utils.translation import gettext_lazy as _


class ErrorCode(enum.StrEnum):
    """``(code, HTTP status, Russian message, English message)``; the value is the code."""

    def __new__(cls, code: str, status: int, message_ru, message_en: str):
        member = str.__new__(cls, code)
        member._value_ = code
        member.status = status
        member.message_ru = message_ru
        member.message_en = message_en
        return member

    # The API layer's own refusals (DRF's codes); statuses are those DRF answers with.
    INVALID = "invalid", 400, _("Запрос содержит неверные поля."), "The request has invalid fields."
    PARSE_ERROR = (
        "parse_error",
        400,
        _("Тело запроса — не корректный JSON."),
        "The request body is not valid JSON.",
    )
    NOT_AUTHENTICATED = (
        "not_authenticated",
        401,
        _("Нужна аутентификация (ключ API или вход на сайт)."),
        "Authentication is required (an API key or a session).",
    )
    AUTHENTICATION_FAILED = (
        "authentication_failed",
        401,
        _("Аутентификация не удалась."),
        "Authentication failed.",
    )
    INVALID_API_KEY = (
        "invalid_api_key",
        401,
        _("Ключ API неверен или отозван."),
        "The API key is invalid or revoked.",
    )
    PERMISSION_DENIED = (
        "permission_denied",
        403,
        _("Вам это делать нельзя."),
        "You may not do this.",
    )
    KEY_SCOPE = (
        "key_scope",
        403,
        _("У ключа API нет прав на это действие."),
        "The API key lacks the scope for this action.",
    )
    INSTRUCTOR_ONLY = (
        "instructor_only",
        403,
        _("Это доступно только преподавателям."),
        "Only instructors may do this.",
    )
    QUIZ_OWNER_ONLY = (
        "quiz_owner_only",
        403,
        _("Тест может менять только его автор."),
        "Only the quiz's author may change it.",
    )
    SESSION_ONLY = (
        "session_only",
        403,
        _("Это может сделать только вошедший на сайт человек, а не ключ API."),
        "Only a signed-in person (not an API key) may do this.",
    )
    USER_NOT_ALLOWED = (
        "user_not_allowed",
        403,
        _("Начать попытку за другого пользователя можно только по ключу API для своего теста."),
        "Attempts for another user can be started only with an API key "
        "for the instructor's own quiz.",
    )
    SERVER_ERROR = (
        "server_error",
        500,
        _("Внутренняя ошибка сервера; она записана в журнал. Повторите запрос позже."),
        "Internal server error; it has been logged. Retry later.",
    )
    NOT_FOUND = "not_found", 404, _("Не найдено."), "Not found."
    METHOD_NOT_ALLOWED = (
        "method_not_allowed",
        405,
        _("Метод не разрешён."),
        "Method not allowed.",
    )
    NOT_ACCEPTABLE = (
        "not_acceptable",
        406,
        _("Запрошенный формат ответа недоступен."),
        "The requested response format is not available.",
    )
    UNSUPPORTED_MEDIA_TYPE = (
        "unsupported_media_type",
        415,
        _("Отправьте тело запроса как application/json."),
        "Send the body as application/json.",
    )
    THROTTLED = (
        "throttled",
        429,
        _("Слишком много запросов; повторите позже."),
        "Too many requests; retry later.",
    )
    # Accounts: login lockout (django-axes) and password-reset limits (django-ratelimit).
    LOGIN_LOCKED = (
        "login_locked",
        429,
        _("Слишком много неудачных попыток входа. Вход временно заблокирован."),
        "Too many failed login attempts. Logging in is temporarily blocked.",
    )
    PASSWORD_RESET_THROTTLED = (
        "password_reset_throttled",
        429,
        _("Слишком много запросов на сброс пароля. Попробуйте позже."),
        "Too many password reset requests. Try again later.",
    )
    INVALID_IDEMPOTENCY_KEY = (
        "invalid_idempotency_key",
        400,
        _(
            "Заголовок Idempotency-Key: от 1 до 255 видимых символов ASCII (пробелы — только "
            "внутри)."
        ),
        "The Idempotency-Key header must be 1–255 visible ASCII characters (spaces only inside).",
    )
    IDEMPOTENCY_KEY_REUSED = (
        "idempotency_key_reused",
        409,
        _("Этот Idempotency-Key уже использован с другим запросом."),
        "This Idempotency-Key was used with a different request.",
    )
    SUBMIT_TOKEN_REUSED = (
        "submit_token_reused",
        409,
        _(
            "Эта форма уже отправлена с другим ответом. Обновите страницу и отправьте ответ "
            "ещё раз."
        ),
        "This submit_token was already used with a different answer.",
    )
    XOR = (
        "xor",
        400,
        _("Укажите либо вопрос (question), либо тему (topic)."),
        "Give either a question or a topic, not both.",
    )
    WRONG_TYPE = (
        "wrong_type",
        400,
        _("Значение не того типа."),
        "The value has the wrong JSON type.",
    )
    UNKNOWN_FIELD = (
        "unknown_field",
        400,
        _("Неизвестное поле."),
        "Unknown field: the request body has a field the operation does not take.",
    )
    UNIQUE = "unique", 409, _("Такое значение уже занято."), "This value is already taken."
    SCHEME = (
        "scheme",
        400,
        _("Нужен адрес http:// или https://."),
        "The address must start with http:// or https://.",
    )
    PRIVATE_ADDRESS = (
        "private_address",
        400,
        _("Адрес во внутренней сети: вебхук должен вести на внешний сервер."),
        "The address is in a private network: a webhook must point to a public server.",
    )
    DOES_NOT_EXIST = (
        "does_not_exist",
        404,
        _("Такого объекта нет."),
        "The referenced object does not exist.",
    )
    # API keys.
    NOT_INSTRUCTOR = (
        "not_instructor",
        403,
        _("Ключи API выдаются только преподавателям."),
        "Only instructors may have API keys.",
    )
    INVALID_SCOPES = (
        "invalid_scopes",
        400,
        _("Неизвестные права ключа."),
        "Unknown API key scopes.",
    )
    COURSE_NOT_YOURS = (
        "course_not_yours",
        403,
        _("Ключ можно ограничить только своими курсами."),
        "A key can be limited to one's own courses only.",
    )
    # Attempts. A refused state change is a conflict (409); a closed quiz is forbidden (403).
    ATTEMPT_FINISHED = (
        "attempt_finished",
        409,
        _("Попытка уже завершена."),
        "The attempt is already finished.",
    )
    TIME_OVER = (
        "time_over",
        409,
        _("Время на тест истекло."),
        "The time limit of the attempt is over.",
    )
    NO_ATTEMPTS_LEFT = (
        "no_attempts_left",
        409,
        _("Попытки закончились."),
        "No attempts left for this quiz.",
    )
    # Answer policies (quizapp.attempts.policies): a submit the quiz's policy no longer takes.
    ANSWER_FINAL = (
        "answer_final",
        409,
        _(
            "Ответ на этот вопрос уже отправлен: в этом тесте засчитывается первый "
            "отправленный ответ, изменить его нельзя."
        ),
        "The answer to this question is final: the quiz takes one answer per question.",
    )
    NO_TRIES_LEFT = (
        "no_tries_left",
        409,
        _("Попытки ответить на этот вопрос закончились."),
        "No tries left for this question.",
    )
    ITEM_SOLVED = (
        "item_solved",
        409,
        _("На этот вопрос уже дан верный ответ: больше попыток не нужно."),
        "This question is already answered correctly: no more tries are taken.",
    )
    QUIZ_UNPUBLISHED = (
        "quiz_unpublished",
        403,
        _("Тест ещё не опубликован."),
        "The quiz is not published.",
    )
    QUIZ_NOT_OPEN = "quiz_not_open", 403, _("Тест ещё не открыт."), "The quiz is not open yet."
    QUIZ_CLOSED = "quiz_closed", 403, _("Тест уже закрыт."), "The quiz is closed."
    NOT_COURSE_STUDENT = (
        "not_course_student",
        422,
        _("Особые условия назначаются только студентам этого курса."),
        "Accommodations are for the course's students only.",
    )
    QUIZ_NOT_IN_COURSE = (
        "quiz_not_in_course",
        422,
        _("Этот тест не назначен курсу."),
        "The quiz is not assigned to the course.",
    )
    EXTENSION_TOO_EARLY = (
        "extension_too_early",
        422,
        _("Продление должно быть позже закрытия теста."),
        "An extension must end after the quiz closes.",
    )
    ACCOMMODATION_CHANGES_NOTHING = (
        "accommodation_changes_nothing",
        422,
        _("Укажите, что меняется: время, срок или число попыток."),
        "Nothing would change: give extra time, a later close or extra attempts.",
    )
    TRIES_NEED_VERDICTS = (
        "tries_need_verdicts",
        400,
        _(
            "Попытки с проверкой показывают, верен ли каждый ответ, сразу: выберите «сразу "
            "после ответа» для «верно/неверно» или другую политику ответов."
        ),
        "Tries with a check show each verdict at once: choose verdicts during the attempt.",
    )
    SOLUTIONS_BEFORE_VERDICTS = (
        "solutions_before_verdicts",
        400,
        _(
            "Решения нельзя показывать раньше, чем «верно/неверно»: решение выдаёт ответ. "
            "Выберите для решений тот же срок или позже."
        ),
        "Solutions cannot be shown before the verdicts: a solution gives the answer away.",
    )
    NO_VERSION = (
        "no_version",
        409,
        _("У вопроса теста нет ни одной версии."),
        "A question of the quiz has no version.",
    )
    TOO_LONG = "too_long", 400, _("Ответ слишком длинный."), "The answer is too long."
    STALE_DRAFT = (
        "stale_draft",
        409,
        _("Уже сохранён более новый черновик."),
        "A newer draft is already saved.",
    )
    # Quizzes and their items.
    QUIZ_HAS_ATTEMPTS = (
        "quiz_has_attempts",
        409,
        _("У теста есть попытки: его можно снять с публикации, но не удалить."),
        "The quiz already has attempts; its questions can no longer change.",
    )
    CLOSES_BEFORE_OPENS = (
        "closes_before_opens",
        422,
        _("Тест должен закрываться позже, чем открывается."),
        "The quiz must close after it opens.",
    )
    PENALTY_RANGE = (
        "penalty_range",
        422,
        _("Штраф за попытку — доля баллов вопроса от 0 до 1 (0,1 — это 10 %)."),
        "The penalty per try is a share of the item's points between 0 and 1.",
    )
    MAX_TRIES_MIN = (
        "max_tries_min",
        422,
        _("Попыток на вопрос должно быть не меньше одной (пусто — без ограничения)."),
        "max_tries must be at least 1 (null means unlimited).",
    )
    BAD_POINTS = (
        "bad_points",
        400,
        _("Баллы — число больше 0 и не больше 1000."),
        "Points must be a number above 0 and at most 1000.",
    )
    BAD_COUNT = (
        "bad_count",
        400,
        _("Правило берёт из темы от 1 до 50 вопросов."),
        "A rule draws from 1 to 50 questions.",
    )
    RULE_TOO_FEW = (
        "rule_too_few",
        409,
        _("В теме меньше вопросов, чем требует правило."),
        "The topic has fewer questions than the rule asks for.",
    )
    QUESTION_NOT_VISIBLE = (
        "question_not_visible",
        404,
        _("Этот вопрос вам недоступен."),
        "This question is not available to you.",
    )
    TOPIC_NOT_VISIBLE = (
        "topic_not_visible",
        404,
        _("Эта тема вам недоступна."),
        "This topic is not available to you.",
    )
    DUPLICATE_QUESTION = (
        "duplicate_question",
        422,
        _("Этот вопрос уже есть в тесте."),
        "The question is already in the quiz.",
    )
    # Courses.
    COURSE_ARCHIVED = (
        "course_archived",
        409,
        _("Курс в архиве: запись и изменения закрыты."),
        "The course is archived: no enrolments or changes.",
    )
    COURSE_CODE_TAKEN = (
        "course_code_taken",
        409,
        _("Этот код курса уже занят."),
        "This course code is taken.",
    )
    JOIN_CODE_EXHAUSTED = (
        "join_code_exhausted",
        400,
        _("Не удалось создать код приглашения."),
        "Could not generate an invitation code.",
    )
    JOIN_CODE_INVALID = (
        "join_code_invalid",
        400,
        _("Курса с таким кодом нет. Проверьте код у преподавателя."),
        "No course has this code. Check the code with the instructor.",
    )
    COURSE_OWNER = (
        "course_owner",
        400,
        _("Это ваш курс: вы его преподаватель."),
        "This is your own course: you teach it.",
    )
    JOIN_DISABLED = (
        "join_disabled",
        400,
        _("Запись на курс закрыта преподавателем."),
        "The instructor has closed enrolment in this course.",
    )
    NOT_ENROLLED = (
        "not_enrolled",
        422,
        _("Вы не записаны на этот курс."),
        "Not enrolled in the course.",
    )
    QUIZ_NOT_OWNED = (
        "quiz_not_owned",
        400,
        _("Назначать можно только свои тесты."),
        "Only one's own quizzes can be assigned.",
    )
    QUIZ_NOT_ASSIGNED = (
        "quiz_not_assigned",
        400,
        _("Этот тест не назначен курсу."),
        "The quiz is not assigned to the course.",
    )
    # Flashcards.
    TOPIC_NOT_IN_BANK = (
        "topic_not_in_bank",
        400,
        _("Эта тема из другого банка."),
        "The topic belongs to another bank.",
    )
    BAD_LIMIT = (
        "bad_limit",
        400,
        _("Недопустимое число новых карточек в день."),
        "Invalid number of new cards per day.",
    )
    BAD_TIME_ZONE = "bad_time_zone", 400, _("Неизвестный часовой пояс."), "Unknown time zone."
    BAD_RETENTION = (
        "bad_retention",
        400,
        _("Целевая доля вспоминаемых карточек — от 0,7 до 0,97."),
        "The desired retention must be between 0.7 and 0.97.",
    )
    BAD_EXAM_DATE = (
        "bad_exam_date",
        400,
        _("Дата экзамена — не раньше сегодняшнего дня и не дальше чем через 5 лет."),
        "The exam date must be between today and five years ahead.",
    )
    NOT_IN_STUDY_SET = (
        "not_in_study_set",
        400,
        _("Этой карточки нет в ваших колодах."),
        "The card is not in your decks.",
    )
    NOT_ANSWERABLE = (
        "not_answerable",
        400,
        _("На эту карточку не отвечают, её оценивают."),
        "This card is rated, not answered.",
    )
    STALE_CARD = (
        "stale_card",
        400,
        _("Карточка уже изменилась (другая вкладка?)."),
        "The card has changed (another tab?).",
    )
    BAD_QUESTION = (
        "bad_question",
        400,
        _("Ошибка в вопросе: его нельзя проверить. Отложите карточку."),
        "The question is broken and cannot be graded. Bury the card.",
    )
    BAD_RATING = "bad_rating", 400, _("Оценка — от 1 до 4."), "The rating is from 1 to 4."
    SUSPENDED = "suspended", 400, _("Карточка приостановлена."), "The card is suspended."
    BURIED = "buried", 400, _("Карточка отложена до завтра."), "The card is buried until tomorrow."
    RATING_UNGUARDED = (
        "rating_unguarded",
        400,
        _(
            "Оценка не сохранена: форма устарела или неполна. Обновите страницу карточек и "
            "оцените карточку снова."
        ),
        "A rating needs the reps the client saw or a submit_token, so that it is applied once.",
    )
    STALE_UNDO = (
        "stale_undo",
        400,
        _("Эту оценку уже отменили."),
        "This review has already been undone.",
    )
    # Gradebook and regrades.
    REASON_REQUIRED = (
        "reason_required",
        400,
        _("Укажите причину изменения оценки."),
        "Give a reason for changing the score.",
    )
    ATTEMPT_NOT_FINISHED = (
        "attempt_not_finished",
        400,
        _("Оценку можно изменить только у завершённой попытки."),
        "Only a finished attempt's score can be changed.",
    )
    SCORE_OUT_OF_RANGE = (
        "score_out_of_range",
        400,
        _("Оценка вне допустимого диапазона."),
        "The score is out of range.",
    )
    NO_OVERRIDE = (
        "no_override",
        400,
        _("Оценка и так вычислена автоматически."),
        "The score is already computed automatically.",
    )
    WRONG_VERSION = (
        "wrong_version",
        400,
        _("Эта версия относится к другому вопросу."),
        "The version belongs to another question.",
    )
    REGRADE_RUNNING = (
        "regrade_running",
        409,
        _("Перепроверка этого вопроса уже идёт: дождитесь её окончания."),
        "A regrade of this question is already running.",
    )
    NOTHING_TO_REGRADE = (
        "nothing_to_regrade",
        409,
        _("Все ответы уже проверены по этой версии: перепроверять нечего."),
        "Every answer is already graded with that version.",
    )
    NOTHING_TO_ANSWER = (
        "nothing_to_answer",
        422,
        _("Это пояснение к вопросам теста: отвечать на него не нужно."),
        "This item is a description between the quiz's questions: there is nothing to answer.",
    )
    QUESTION_NOT_IN_QUIZ = (
        "question_not_in_quiz",
        422,
        _("Выберите вопрос этого теста."),
        "Choose a question of this quiz.",
    )
    # Accepting a rejected text answer for everyone (quizapp/gradebook/rejected.py).
    NOT_SHORT_TEXT = (
        "not_short_text",
        400,
        _("Принять ответ для всех можно только в вопросе с коротким текстовым ответом."),
        "Answers can be accepted for everyone only in short text questions.",
    )
    ANSWER_NOT_ACCEPTABLE = (
        "answer_not_acceptable",
        400,
        _("Этот ответ нельзя добавить к принимаемым: проверка его не засчитает."),
        "This text cannot be added to the accepted answers: grading would not accept it.",
    )
    ANSWER_ALREADY_ACCEPTED = (
        "answer_already_accepted",
        409,
        _("Этот ответ уже принимается, и все ответы уже перепроверены."),
        "This answer is already accepted and every response is already regraded.",
    )
    # Essays graded by the instructor (quizapp/gradebook/manual.py).
    NOT_AN_ESSAY = (
        "not_an_essay",
        422,
        _("Вручную оцениваются только ответы на эссе завершённых попыток."),
        "Only essay answers of finished attempts are graded by hand.",
    )
    POINTS_OUT_OF_RANGE = (
        "points_out_of_range",
        422,
        _("Баллы за ответ должны быть от 0 до максимума вопроса."),
        "The points must be between 0 and the item's maximum.",
    )
    RUBRIC_CRITERION_INVALID = (
        "rubric_criterion_invalid",
        422,
        _("Критерий: баллы от −100 до 100 и непустой комментарий до 300 знаков."),
        "A rubric criterion needs points from -100 to 100 and a text of 1 to 300 characters.",
    )
    RUBRIC_TOO_LONG = (
        "rubric_too_long",
        422,
        _("У вопроса уже 20 критериев: удалите лишний, прежде чем добавлять новый."),
        "The question already has 20 rubric criteria.",
    )
    RUBRIC_CRITERION_NOT_YOURS = (
        "rubric_criterion_not_yours",
        403,
        _(
            "Критерий может изменить или удалить только его автор, владелец банка "
            "или администратор."
        ),
        "Only the criterion's author, the bank's owner or an admin may change or remove it.",
    )
    RUBRIC_CRITERION_UNKNOWN = (
        "rubric_criterion_unknown",
        422,
        _("Отмеченный критерий не относится к этому вопросу (или удалён): обновите страницу."),
        "A criterion given is not one of this question's rubric criteria.",
    )
    POINTS_REQUIRED = (
        "points_required",
        422,
        _("Укажите баллы или отметьте критерии оценки."),
        "Give the points or at least one rubric criterion.",
    )
    # Practice.
    EMPTY_TOPIC = (
        "empty_topic",
        400,
        _("В этой теме нет задач для тренировки."),
        "The topic has no questions for practice.",
    )
    VARIANT_LOCKED = (
        "variant_locked",
        409,
        _("Ключ этого варианта уже показан: возьмите ещё вариант."),
        "The key of this variant was already shown (or its answer is being graded): "
        "take another variant.",
    )
    # Question banks: uploads and bank files.
    BANK_NOT_YOURS = (
        "bank_not_yours",
        400,
        _("Изменять этот банк может только его владелец или администратор."),
        "Only the bank's owner or an administrator may change it.",
    )
    BANK_IN_USE = (
        "bank_in_use",
        409,
        _("Банк используется студентами: его можно только отправить в архив."),
        "Students have worked with this bank; it can only be archived.",
    )
    BANK_IN_QUIZZES = (
        "bank_in_quizzes",
        409,
        _("Вопросы банка стоят в тестах: уберите их из тестов или отправьте банк в архив."),
        "Quizzes use this bank's questions; remove them or archive the bank.",
    )
    TOO_LARGE = "too_large", 400, _("Файл слишком большой."), "The file is too large."
    REQUEST_TOO_LARGE = (
        "request_too_large",
        413,
        _("Запрос слишком большой: его тело не прочитано."),
        "The request body is too large; it was not read.",
    )
    NOT_VALID = (
        "not_valid",
        400,
        _("Опубликовать можно только проверенный файл без ошибок."),
        "Only a checked file without errors can be published.",
    )
    XML_FORBIDDEN = (
        "xml_forbidden",
        400,
        _("В файле запрещённые конструкции XML (DOCTYPE, сущности)."),
        "The file uses forbidden XML constructs (DOCTYPE, entities).",
    )
    XML_SYNTAX = (
        "xml_syntax",
        400,
        _("Файл не является корректным XML."),
        "The file is not well-formed XML.",
    )
    NOT_MOODLE_XML = (
        "not_moodle_xml",
        400,
        _("Корневой элемент должен быть <quiz> (экспорт вопросов Moodle XML)."),
        "The root element must be <quiz> (a Moodle XML question export).",
    )
    UNSUPPORTED = (
        "unsupported",
        400,
        _("Этот тип вопроса не экспортируется."),
        "This question type cannot be exported.",
    )
    NO_VARIANTS = (
        "no_variants",
        400,
        _("Не удалось получить ни одного варианта."),
        "No variant of the question could be generated.",
    )
    # LTI launches and actions.
    MISSING_PARAMS = (
        "missing_params",
        400,
        _("LMS не передала обязательные параметры запуска."),
        "The LMS did not send the required launch parameters.",
    )
    UNKNOWN_PLATFORM = (
        "unknown_platform",
        403,
        _("Эта LMS не зарегистрирована в Нейрозачёте. Обратитесь к администратору."),
        "This LMS is not registered. Contact the administrator.",
    )
    BAD_STATE = (
        "bad_state",
        400,
        _(
            "Сеанс запуска не найден: возможно, браузер блокирует cookie во фрейме. "
            "Откройте задание в новой вкладке."
        ),
        "The launch session was not found: the browser may block cookies in frames. "
        "Open the assignment in a new tab.",
    )
    BAD_NONCE = (
        "bad_nonce",
        400,
        _("Ссылка запуска недействительна или уже использована. Запустите задание заново."),
        "The launch link is invalid or already used. Launch the assignment again.",
    )
    BAD_SIGNATURE = (
        "bad_signature",
        403,
        _("Подпись запроса LMS не прошла проверку."),
        "The signature of the LMS request did not verify.",
    )
    BAD_TOKEN = (
        "bad_token",
        400,
        _("LMS передала повреждённый запрос запуска."),
        "The LMS sent a damaged launch request.",
    )
    PLATFORM_UNREACHABLE = (
        "platform_unreachable",
        502,
        _("Не удалось связаться с LMS для проверки подписи. Попробуйте позже."),
        "Could not reach the LMS to verify the signature. Try again later.",
    )
    BAD_MESSAGE = (
        "bad_message",
        400,
        _("LMS прислала запрос, который Нейрозачёт не поддерживает."),
        "The LMS sent a request that is not supported.",
    )
    INACTIVE_DEPLOYMENT = (
        "inactive_deployment",
        403,
        _(
            "Это подключение LMS ещё не активировано. "
            "Попросите администратора Нейрозачёта включить его."
        ),
        "This LMS deployment is not activated yet. Ask the administrator to enable it.",
    )
    NO_KEYS = (
        "no_keys",
        503,
        _(
            "У Нейрозачёта нет ключей для LTI: администратору нужно выполнить "
            "lti_platform rotate-keys."
        ),
        "There are no LTI keys: the administrator must run lti_platform rotate-keys.",
    )
    LAUNCH_EXPIRED = (
        "launch_expired",
        400,
        _("Сеанс запуска из LMS истёк. Запустите задание из LMS заново."),
        "The launch session has expired. Launch the assignment from the LMS again.",
    )
    NOT_LINKED = (
        "not_linked",
        409,
        _("Эта ссылка LMS ещё не связана с тестом. Попросите преподавателя выбрать тест."),
        "This LMS link is not tied to a quiz yet. Ask the instructor to choose one.",
    )
    QUIZ_NOT_VISIBLE = (
        "quiz_not_visible",
        403,
        _("Этот тест вам недоступен."),
        "This quiz is not available to you.",
    )
    NO_AGS = (
        "no_ags",
        400,
        _("LMS не предоставляет журнал оценок для этой ссылки."),
        "The LMS offers no gradebook for this link.",
    )
    # Printed exam tickets (quizapp.tickets).
    TICKETS_COUNT = (
        "tickets_count",
        400,
        _("Столько билетов за раз не напечатать."),
        "Too many or too few tickets at once.",
    )
    TICKETS_NO_STUDENTS = (
        "tickets_no_students",
        400,
        _("В курсе нет студентов: именных билетов не получится."),
        "The course has no students to print named tickets for.",
    )
    TICKETS_EMPTY_QUIZ = (
        "tickets_empty_quiz",
        409,
        _("В тесте нет вопросов: печатать нечего."),
        "The quiz has no questions to print.",
    )
    TICKET_TOKEN_BAD = (
        "ticket_token_bad",
        404,
        _("Ссылка билета повреждена или не от этого теста."),
        "The ticket's link is damaged or belongs to another quiz.",
    )

    # Reports of errors in questions (quizapp/reports).
    REPORT_MESSAGE_EMPTY = (
        "report_message_empty",
        400,
        _("Напишите, что не так с вопросом."),
        "Say what is wrong with the question.",
    )
    REPORT_TOO_LONG = (
        "report_too_long",
        400,
        _("Сообщение слишком длинное: не больше 2000 символов."),
        "The text is too long: 2000 characters at most.",
    )
    REPORT_NOT_SHOWN = (
        "report_not_shown",
        404,
        _("Этот вариант вопроса вам не показывался: сообщить можно только о своём."),
        "This variant was not shown to you: only your own variants can be reported.",
    )
    REPORT_NOT_A_QUESTION = (
        "report_not_a_question",
        422,
        _("Это описание, а не вопрос: сообщить об ошибке можно только в вопросе."),
        "This is a description, not a question: only questions can be reported.",
    )
    REPORT_THROTTLED = (
        "report_throttled",
        429,
        _("Слишком много сообщений об ошибках подряд. Попробуйте через час."),
        "Too many error reports. Try again in an hour.",
    )
    REPORT_RESOLVED = (
        "report_resolved",
        409,
        _("Это сообщение уже разобрано."),
        "This report has already been resolved.",
    )
    REPORT_BAD_OUTCOME = (
        "report_bad_outcome",
        400,
        _("Выберите итог: что оказалось с вопросом."),
        "Choose the outcome.",
    )


def error_code(code: ErrorCode | str) -> ErrorCode | None:
    """The member for a code string, or None for a code no service knows (a library's own)."""
    return ErrorCode._value2member_map_.get(str(code))  # type: ignore[return-value]


class ServiceError(Exception):
    """``field`` names the input a refusal is about, when there is one (forms and the API show
    the message beside that field).

    ``message`` is needed only when it says more than the code's default (a number, a name);
    ``code`` stays a plain string on the instance, so callers and tests compare it with text.
    """

    def __init__(
        self, message: str | None = None, *, code: ErrorCode | str, field: str | None = None
    ):
        member = ErrorCode(code)
        message = str(member.message_ru) if message is None else str(message)
        super().__init__(message)
        self.message = message
        self.code = member.value
        self.field = field
        self.status = member.status

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message}
