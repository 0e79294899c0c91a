"""Claims on scheduled job runs, so each run happens once across all workers and hosts."""

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from plugin.db import UTCDateTime, db, utcnow


class JobRun(db.Model):
    __tablename__ = "qh_job_runs"
    __table_args__ = (UniqueConstraint("job_id", "run_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[str] = mapped_column(String(50))
    # The scheduled fire time: the first worker to insert it runs the job, the others skip.
    run_key: Mapped[str] = mapped_column(String(40))
    host: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    result: Mapped[str] = mapped_column(String(500), default="")
