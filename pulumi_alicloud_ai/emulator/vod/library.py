"""The media library's reads: videos by id, by custom ``ReferenceId``, and listed by creation time.

Every registered video is ``Normal``, in category ``Default`` and in its region's one bucket
(``media.py``), so those GetVideoList filters either keep the whole page or empty it; the creation-time
range and the order read through an index.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pulumi_alicloud_ai.emulator.errors import invalid_parameter
from pulumi_alicloud_ai.emulator.store import Entity, Index, data_key
from pulumi_alicloud_ai.emulator.vod import media
from pulumi_alicloud_ai.emulator.vod.models import PRODUCT, VIDEO, Vod

REFERENCE = data_key("reference_id")
BY_REFERENCE = Index("vod_videos_by_reference", PRODUCT, VIDEO, ("region", REFERENCE))
BY_AGE = Index("vod_videos_by_age", PRODUCT, VIDEO, ("region", "created_at", "id"))
MAX_IDS, MAX_PAGE = 20, 100
VIDEO_STATUSES = (
    "Uploading",
    "UploadFail",
    "UploadSucc",
    "Transcoding",
    "TranscodeFail",
    "Blocked",
    "Normal",
)
SORTS = {"CreationTime:Desc": "created_at DESC, id DESC", "CreationTime:Asc": "created_at, id"}


def id_list(text: str | None, field: str) -> list[str]:
    """A comma list of at most :data:`MAX_IDS` ids (repeats dropped)."""
    ids = list(dict.fromkeys(part.strip() for part in (text or "").split(",") if part.strip()))
    if len(ids) > MAX_IDS:
        raise invalid_parameter(field, f"{field} lists {len(ids)} ids; at most {MAX_IDS} are allowed")
    return ids


def _time(text: str | None, field: str) -> float | None:
    if text is None:
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()
    except ValueError:
        raise invalid_parameter(field, f"{field} must be a UTC time like 2026-01-31T00:00:00Z") from None


class Library(Vod):
    """One region's videos."""

    def by_reference(self, reference_id: str) -> Entity | None:
        """The video registered with this custom id, if any."""
        found = self.store.select(
            BY_REFERENCE, {"region": self.region, REFERENCE: reference_id}, order="id", limit=1
        )
        return found[0] if found else None

    def find(self, video_id: str | None, reference_id: str | None) -> Entity:
        """The video by id, else by custom id (GetVideoInfo, GetPlayInfo, GetMezzanineInfo)."""
        if video_id is not None:
            return self.video(video_id)
        if reference_id is None:
            raise invalid_parameter("VideoId", "VideoId or ReferenceId is required")
        found = self.by_reference(reference_id)
        if found is None:
            return self.video(reference_id)  # the same not-found error, naming the id asked for
        return found

    def videos(
        self, video_ids: str | None, reference_ids: str | None
    ) -> tuple[list[Entity], list[str], list[str]]:
        """GetVideoInfos: the videos found, then the video ids and the reference ids not found."""
        ids, references = id_list(video_ids, "VideoIds"), id_list(reference_ids, "ReferenceIds")
        if not ids and not references:
            raise invalid_parameter("VideoIds", "VideoIds or ReferenceIds must list at least one id")
        found: list[Entity] = []
        missing_ids = []
        for video_id in ids:
            video = self._get(VIDEO, video_id)
            if video is not None:
                found.append(video)
            else:
                missing_ids.append(video_id)
        missing_references = []
        for reference in references:
            video = self.by_reference(reference)
            if video is not None:
                found.append(video)
            else:
                missing_references.append(reference)
        return list({video.id: video for video in found}.values()), missing_ids, missing_references

    def list_videos(
        self,
        *,
        statuses: str | None,
        start: str | None,
        end: str | None,
        sort: str | None,
        page: int,
        size: int,
        cate_id: str | None,
        location: str | None,
        reference_ids: str | None,
    ) -> tuple[int, list[Entity]]:
        """GetVideoList: ``(Total, the page)``."""
        if not 1 <= size <= MAX_PAGE or page < 1:
            raise invalid_parameter("PageSize", f"PageNo must be >= 1 and PageSize from 1 to {MAX_PAGE}")
        order = SORTS.get(sort or "CreationTime:Desc")
        if order is None:
            raise invalid_parameter("SortBy", f"SortBy must be one of: {', '.join(SORTS)}")
        wanted = [part.strip() for part in (statuses or "").split(",") if part.strip()]
        if any(status not in VIDEO_STATUSES for status in wanted):
            raise invalid_parameter("Status", f"Status must list values from: {', '.join(VIDEO_STATUSES)}")
        keeps_all = (
            (not wanted or media.VIDEO_STATUS in wanted)
            and cate_id in (None, str(media.CATE_ID))
            and location in (None, media.storage_location(self.region))
        )
        if not keeps_all:
            return 0, []
        if reference_ids is not None:
            found = [
                v
                for ref in id_list(reference_ids, "ReferenceIds")
                if (v := self.by_reference(ref)) is not None
            ]
            return len(found), found[(page - 1) * size : page * size]
        terms, params = [], []
        if (low := _time(start, "StartTime")) is not None:
            terms.append("created_at >= ?")
            params.append(low)
        if (high := _time(end, "EndTime")) is not None:
            terms.append("created_at <= ?")
            params.append(high)
        where, extra = {"region": self.region}, " AND ".join(terms)
        total = self.store.count(BY_AGE, where, extra=extra, params=params)
        page_of = self.store.select(
            BY_AGE, where, order=order, limit=size, offset=(page - 1) * size, extra=extra, params=params
        )
        return total, page_of
