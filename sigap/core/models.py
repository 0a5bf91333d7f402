"""Rows that stand for work to do outside a request (DESIGN §4)."""

from __future__ import annotations

from django.db import models


class JobStatus(models.TextChoices):
    PENDING = "pending"
    DONE = "done"
    DEAD = "dead"


class Job(models.Model):
    """A unit of background work, written in the same transaction as its cause.

    A claimed job stays `pending` with `due_at` pushed forward by a lease: if its worker dies,
    the job becomes due again when the lease ends, so nothing is lost; the claim itself is a
    row lock (PostgreSQL SKIP LOCKED, SQLite's single writer), so two workers never run it at once.
    """

    kind = models.CharField(max_length=64)
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=8, choices=JobStatus.choices, default=JobStatus.PENDING)
    due_at = models.DateTimeField()
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=8)
    last_error = models.TextField(blank=True)
    # Same key, same job: enqueueing twice does not do the work twice.
    idempotency_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["due_at"],
                name="job_due_idx",
                condition=models.Q(status="pending"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"
