"""A tiny LMS for the tests: its own RSA key, JWKS, OAuth2 token, AGS and NRPS endpoints.

Serves on 127.0.0.1 from a thread and records what the tool sends, so the tests check the tool
against a platform that really verifies signatures and really receives scores.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
AGS = "https://purl.imsglobal.org/spec/lti-ags/"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"


def new_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class Platform:
    """The LMS: ``issuer`` is its base URL; the tool learns its endpoints from a registration."""

    client_id = "nz-tool"
    deployment_id = "dep-1"
    kid = "platform-key-1"

    def __init__(self):
        self.key = new_key()
        self.scores: list[dict] = []  # score bodies the tool posted, in order
        self.score_statuses: list[int] = []  # what we answered each time
        self.fail_next: list[int] = []  # statuses to answer the next score posts with
        self.token_requests: list[dict] = []
        self.members: list[dict] = []
        # Where the tool publishes its keys: its live JWKS URL, or (tests through the Django test
        # client, where the tool is not listening) a copy taken from the database.
        self.tool_jwks_url = ""
        self.tool_jwks: dict = {"keys": []}
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # --- life cycle ---

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()

    @property
    def issuer(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.issuer + path

    @property
    def line_item_url(self) -> str:
        return self.url("/lineitems/1")

    def register(self, **overrides):
        from quizapp.lti.services import lti_platform_register

        options = {
            "name": "Тестовая LMS",
            "issuer": self.issuer,
            "client_id": self.client_id,
            "auth_url": self.url("/auth"),
            "token_url": self.url("/token"),
            "keyset_url": self.url("/jwks"),
            "deployment_ids": [self.deployment_id],
        }
        options.update(overrides)
        return lti_platform_register(**options)

    # --- messages ---

    def id_token(self, *, nonce, sub="learner-1", roles=(LEARNER,), key=None, **claims) -> str:
        now = int(time.time())
        body = {
            "iss": self.issuer,
            "aud": self.client_id,
            "sub": sub,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "given_name": "Анна",
            "family_name": "Иванова",
            "email": f"{sub}@lms.example",
            LTI + "deployment_id": self.deployment_id,
            LTI + "message_type": "LtiResourceLinkRequest",
            LTI + "version": "1.3.0",
            LTI + "roles": list(roles),
            LTI + "context": {"id": "course-42", "title": "Глубокое обучение", "label": "DL"},
            LTI + "resource_link": {"id": "rl-1", "title": "Демо-тест"},
            LTI + "target_link_uri": claims.pop("target_link_uri", "http://testserver/lti/launch/"),
            LTI + "custom": {"quiz": "demo"},
            AGS + "claim/endpoint": {
                "scope": [AGS + "scope/lineitem", AGS + "scope/score"],
                "lineitems": self.url("/lineitems"),
                "lineitem": self.line_item_url,
            },
        }
        body.update(claims)
        body = {k: v for k, v in body.items() if v is not None}
        return jwt.encode(body, key or self.key, algorithm="RS256", headers={"kid": self.kid})

    def jwks(self) -> dict:
        jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        jwk.update(kid=self.kid, alg="RS256", use="sig")
        return {"keys": [jwk]}

    # --- the server ---

    def _verify_client_assertion(self, assertion: str) -> dict:
        """What a real platform does: the tool's JWT, checked against the tool's own JWKS."""
        if self.tool_jwks_url:
            with urllib.request.urlopen(self.tool_jwks_url, timeout=5) as answer:
                keys = json.load(answer)["keys"]
        else:
            keys = self.tool_jwks["keys"]
        kid = jwt.get_unverified_header(assertion)["kid"]
        jwk = next(k for k in keys if k["kid"] == kid)
        public = RSAAlgorithm.from_jwk(json.dumps(jwk))
        return jwt.decode(assertion, public, algorithms=["RS256"], audience=self.url("/token"))

    def _handler(self):
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status: int, body=None, content_type="application/json"):
                data = b"" if body is None else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _body(self) -> bytes:
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def do_GET(self):
                path = urlparse(self.path).path
                if path == "/jwks":
                    return self._send(200, platform.jwks())
                if path == "/memberships":
                    if not self.headers.get("Authorization", "").startswith("Bearer "):
                        return self._send(401, {"error": "no token"})
                    return self._send(
                        200,
                        {"id": platform.url("/memberships"), "members": platform.members},
                        "application/vnd.ims.lti-nrps.v2.membershipcontainer+json",
                    )
                return self._send(404, {"error": "not found"})

            def do_POST(self):
                path = urlparse(self.path).path
                body = self._body()
                if path == "/token":
                    form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
                    try:
                        claims = platform._verify_client_assertion(form["client_assertion"])
                    except Exception as exc:  # answered as a platform would
                        return self._send(401, {"error": "invalid_client", "detail": str(exc)})
                    platform.token_requests.append({"form": form, "claims": claims})
                    token = "token-" + uuid.uuid4().hex
                    return self._send(
                        200, {"access_token": token, "token_type": "Bearer", "expires_in": 3600}
                    )
                if path == "/lineitems/1/scores":
                    if not self.headers.get("Authorization", "").startswith("Bearer token-"):
                        return self._send(401, {"error": "no token"})
                    status = platform.fail_next.pop(0) if platform.fail_next else 200
                    platform.score_statuses.append(status)
                    platform.scores.append(
                        {
                            "body": json.loads(body),
                            "content_type": self.headers.get("Content-Type"),
                            "status": status,
                        }
                    )
                    return self._send(status, {} if status == 200 else {"error": "boom"})
                return self._send(404, {"error": "not found"})

        return Handler
