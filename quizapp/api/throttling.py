"""Rate limits: per API key (its own rate, or the default), per user for the browser session."""

from __future__ import annotations

from rest_framework.throttling import SimpleRateThrottle, UserRateThrottle

from quizapp.api.authentication import api_key_of


class ApiKeyRateThrottle(SimpleRateThrottle):
    scope = "api_key"

    def allow_request(self, request, view):
        key = api_key_of(request)
        if key is None:
            return True
        if key.rate_per_minute:
            self.rate = f"{key.rate_per_minute}/min"
            self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        key = api_key_of(request)
        return None if key is None else self.cache_format % {"scope": self.scope, "ident": key.pk}


class SessionRateThrottle(UserRateThrottle):
    scope = "session"

    def allow_request(self, request, view):
        if api_key_of(request) is not None:
            return True
        return super().allow_request(request, view)
