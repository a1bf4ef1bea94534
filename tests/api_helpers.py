"""Helpers of the API tests: a token and a JSON client for a person."""

import json

from django.test import Client

from api.tokens import token_create
from orgchart.models import Node


def token_for(who, name="ระบบบุคลากร") -> str:
    user = who.user if isinstance(who, Node) else who
    _row, token = token_create(user=user, name=name, by=user)
    return token


class ApiClient:
    """A test client sending `Authorization: Bearer <token>` and JSON bodies."""

    def __init__(self, token: str | None, language: str | None = None):
        self.client = Client()
        self.headers = {}
        if token is not None:
            self.headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        if language:
            self.headers["HTTP_ACCEPT_LANGUAGE"] = language

    def get(self, url, params=None):
        return self.client.get(url, params or {}, **self.headers)

    def put(self, url, body):
        return self.client.put(
            url, json.dumps(body), content_type="application/json", **self.headers
        )

    def post(self, url, body=None):
        return self.client.post(
            url, json.dumps(body or {}), content_type="application/json", **self.headers
        )

    def delete(self, url):
        return self.client.delete(url, **self.headers)


def api_for(who, language=None) -> ApiClient:
    return ApiClient(token_for(who), language)
