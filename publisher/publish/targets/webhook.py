"""``webhook`` target: WeCom (企业微信) and DingTalk group robots, or a plain JSON endpoint.

Messages are markdown digests within the robots' limits (4,096 bytes, 20 a minute). DingTalk
requests are signed (HMAC-SHA256 of ``timestamp\\nsecret``) when a secret is set. URLs and
secrets come from environment variables named in config.toml. A timeout means the outcome is
unknown: such a message is never resent automatically.
"""

from __future__ import annotations

import base64
import collections
import hashlib
import hmac
import json
import logging
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from publisher.config import WebhookTarget as WebhookSettings
from publisher.i18n import _
from publisher.publish.queue import Delivery
from publisher.publish.targets.base import DeliveryError, UnknownOutcome

MARKDOWN_LIMIT = 4096
_recent: dict[str, collections.deque] = collections.defaultdict(collections.deque)


class WebhookTarget:
    idempotent = False

    def __init__(self, name: str, settings: WebhookSettings, site: Path):
        self.name, self.settings = name, settings

    def deliver(self, delivery: Delivery) -> str:
        payload = delivery.payload
        title = payload.get("title", delivery.key)
        lines = [f"### {title}"]
        if payload.get("slot"):
            lines.append("> " + _("Slot: {slot}  Channel: {channel}").format(slot=payload["slot"],
                                                                              channel=delivery.channel))
        if payload.get("text"):
            lines.append(payload["text"])
        if payload.get("files"):
            lines.append(_("Files: {names}").format(names=_(", ").join(payload["files"][:12])))
        self.send(title, "\n\n".join(lines), delivery.id)
        return _("sent")

    def notify(self, title: str, text: str) -> bool:
        try:
            self.send(title, text)
        except (DeliveryError, UnknownOutcome) as exc:  # a notice never blocks a delivery
            logging.getLogger("publisher").warning(_("notice {title!r} to {target} not sent: {error}").format(
                title=title, target=self.name, error=exc))
            return False
        return True

    def prune(self, destinations: list[str]) -> list[str]:
        return []

    def send(self, title: str, text: str, delivery_id: int | None = None) -> None:
        url = os.environ.get(self.settings.url_env, "")
        if not url:
            raise DeliveryError(_("environment variable {name} (the webhook URL) is not set").format(
                name=self.settings.url_env))
        text = _clip(text, MARKDOWN_LIMIT - 200)
        if self.settings.kind == "wecom":
            body = {"msgtype": "markdown", "markdown": {"content": text}}
        elif self.settings.kind == "dingtalk":
            body = {"msgtype": "markdown", "markdown": {"title": title[:64], "text": text}}
            url = self._signed(url)
        else:
            body = {"title": title, "text": text, "delivery": delivery_id}
        self._wait_for_rate_limit(url)
        request = urllib.request.Request(url, data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
                                         headers={"Content-Type": "application/json; charset=utf-8"})
        try:
            with urllib.request.urlopen(request, timeout=self.settings.timeout) as response:
                answer = response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            raise DeliveryError(f"{self.name}: HTTP {exc.code}") from exc
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise UnknownOutcome(_("{target}: no answer within {seconds:g}s").format(
                    target=self.name, seconds=self.settings.timeout)) from exc
            raise DeliveryError(f"{self.name}: {exc.reason}") from exc
        except TimeoutError as exc:
            raise UnknownOutcome(_("{target}: no answer within {seconds:g}s").format(
                target=self.name, seconds=self.settings.timeout)) from exc
        if self.settings.kind in ("wecom", "dingtalk"):
            try:
                code = json.loads(answer).get("errcode", 0)
            except ValueError:
                code = -1
            if code != 0:
                raise DeliveryError(_("{target}: the robot answered errcode {code}").format(target=self.name,
                                                                                           code=code))

    def _signed(self, url: str) -> str:
        secret = os.environ.get(self.settings.secret_env, "") if self.settings.secret_env else ""
        if not secret:
            return url
        timestamp = str(round(time.time() * 1000))
        digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
        sign = urllib.parse.quote_plus(base64.b64encode(digest))
        return f"{url}{'&' if '?' in url else '?'}timestamp={timestamp}&sign={sign}"

    def _wait_for_rate_limit(self, url: str) -> None:
        """At most ``per_minute`` messages in any 60 s (going over throttles a robot for minutes)."""
        sent = _recent[url.split("?")[0] + self.name]
        now = time.monotonic()
        while sent and now - sent[0] > 60:
            sent.popleft()
        if len(sent) >= self.settings.per_minute:
            time.sleep(max(0.0, 60 - (now - sent[0])) + 0.05)
            sent.popleft()
        sent.append(time.monotonic())


def _clip(text: str, limit: int) -> str:
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[:limit].decode("utf-8", "ignore") + "\n\n" + _("… (too long; cut here)")
