"""Idempotency keys of retry-safe requests: the first answer to a key is kept and replayed."""

from __future__ import annotations

from django.db import models


class IdempotentRequest(models.Model):
    """One `Idempotency-Key` of one endpoint (`scope`), with the digest of the body it came with.

    Created in the transaction that does the work: a concurrent request with the same key
    waits on the unique index until that transaction ends, then replays its answer (or
    does the work itself when the first one rolled back). Only successful answers are kept.
    """

    scope = models.CharField(max_length=40)
    key = models.CharField(max_length=255)
    request_digest = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    # The answer without secrets (tokens are minted anew on replay).
    response = models.JSONField(default=dict)
    # Whose answer it is, to mint their tokens on replay.
    user = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="one_answer_per_idempotency_key")]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}"
