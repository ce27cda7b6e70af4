"""The video basics: how a registered video reads back through GetVideoInfo(s), GetVideoList,
GetPlayInfo and GetMezzanineInfo.

A registered video has a title, a duration, a region and optionally a ``ReferenceId``; everything
else these operations report is derived from those, the same on every run: one 1280x720 H.264 stream
at 25 fps and 1000 kbit/s (so ``Size`` is ``duration * 125000`` bytes), one AAC stereo audio
stream, category ``Default`` (id 1000000), storage class ``Standard`` in one bucket per region. URLs
look like VOD output but nothing is served there.
"""

from __future__ import annotations

import hashlib
from typing import Any

from pulumi_alicloud_ai.emulator.formats import iso_utc
from pulumi_alicloud_ai.emulator.store import Entity

CATE_ID, CATE_NAME = 1000000, "Default"
WIDTH, HEIGHT, FPS, KBPS = 1280, 720, "25", 1000
VIDEO_STATUS = "Normal"
FORMATS = ("mp4", "m3u8")


def storage_location(region: str) -> str:
    """The region's one media bucket."""
    return f"outin-{hashlib.sha256(region.encode()).hexdigest()[:32]}.oss-{region}.aliyuncs.com"


def size(video: Entity) -> int:
    """Bytes of the original file."""
    return int(video.data["duration"] * KBPS * 125)


def _url(video: Entity, path: str) -> str:
    return f"https://{storage_location(video.region)}/{video.id}/{path}"


def cover_url(video: Entity) -> str:
    """The video's cover snapshot."""
    return _url(video, "snapshots/cover-00001.jpg")


def _common(video: Entity) -> dict[str, Any]:
    return {
        "VideoId": video.id,
        "Title": video.name,
        "Description": "",
        "Duration": float(video.data["duration"]),
        "CoverURL": cover_url(video),
        "Status": VIDEO_STATUS,
        "CreationTime": iso_utc(video.created_at),
        "ModificationTime": iso_utc(video.updated_at),
        "Size": size(video),
        "CateId": CATE_ID,
        "CateName": CATE_NAME,
        "Tags": "",
        "AppId": "app-1000000",
        "StorageLocation": storage_location(video.region),
        "StorageClass": "Standard",
        "RestoreStatus": "",
        "RestoreExpiration": "",
        "ReferenceId": video.data.get("reference_id") or "",
        "UserData": "",
    }


def _snapshots(video: Entity) -> list[str]:
    return [cover_url(video)]


def video_info(video: Entity) -> dict[str, Any]:
    """GetVideoInfo's ``Video``."""
    return {
        **_common(video),
        "RegionId": video.region,
        "AuditStatus": "Normal",
        "CustomMediaInfo": "",
        "DownloadSwitch": "on",
        "TemplateGroupId": "VOD_NO_TRANSCODE",
        "Snapshots": {"Snapshot": _snapshots(video)},
    }


def video_infos_item(video: Entity) -> dict[str, Any]:
    """A GetVideoInfos ``VideoList`` item (``Snapshots`` is a plain list there)."""
    return {
        **_common(video),
        "DownloadSwitch": "on",
        "TemplateGroupId": "VOD_NO_TRANSCODE",
        "Snapshots": _snapshots(video),
    }


def video_list_item(video: Entity) -> dict[str, Any]:
    """A GetVideoList ``VideoList.Video`` item."""
    return {**_common(video), "Snapshots": {"Snapshot": _snapshots(video)}}


def play_info(video: Entity, media_format: str) -> dict[str, Any]:
    """One ``PlayInfo``: the original stream in a format."""
    created, duration = iso_utc(video.created_at), f"{video.data['duration']:.3f}"
    return {
        "PlayURL": _url(video, f"original.{media_format}"),
        "Format": media_format,
        "Definition": "OD",
        "Specification": "",
        "StreamType": "video",
        "Duration": duration,
        "Size": size(video),
        "Width": WIDTH,
        "Height": HEIGHT,
        "Fps": FPS,
        "Bitrate": str(KBPS),
        "BitDepth": 8,
        "CodecName": "h264",
        "HDRType": "",
        "Encrypt": 0,
        "EncryptType": "",
        "EncryptMode": "",
        "NarrowBandType": "0",
        "JobId": "",
        "JobType": 2,
        "JobExt": "",
        "WatermarkId": "",
        "Status": VIDEO_STATUS,
        "CreationTime": created,
        "ModificationTime": created,
    }


def video_base(video: Entity) -> dict[str, Any]:
    """GetPlayInfo's ``VideoBase``."""
    return {
        "VideoId": video.id,
        "Title": video.name,
        "Duration": f"{video.data['duration']:.3f}",
        "CoverURL": cover_url(video),
        "Status": VIDEO_STATUS,
        "CreationTime": iso_utc(video.created_at),
        "MediaType": "video",
        "StorageClass": "Standard",
        "DanMuURL": "",
    }


def mezzanine(video: Entity, output_type: str) -> dict[str, Any]:
    """GetMezzanineInfo's ``Mezzanine``: the original file and its streams."""
    duration = f"{video.data['duration']:.3f}"
    frames = str(int(video.data["duration"] * int(FPS)))
    return {
        "VideoId": video.id,
        "FileName": f"{video.id}.mp4",
        "FileURL": _url(video, "original.mp4") if output_type == "oss" else _url(video, "original.mp4?cdn=1"),
        "OutputType": output_type,
        "FileMD5": hashlib.md5(video.id.encode(), usedforsecurity=False).hexdigest(),
        "Size": size(video),
        "Duration": duration,
        "Width": WIDTH,
        "Height": HEIGHT,
        "Fps": FPS,
        "Bitrate": str(KBPS),
        "Status": VIDEO_STATUS,
        "PreprocessStatus": "UnPreprocess",
        "StorageClass": "Standard",
        "RestoreStatus": "",
        "RestoreExpiration": "",
        "CreationTime": iso_utc(video.created_at),
        "VideoStreamList": [
            {
                "Index": "0",
                "CodecName": "h264",
                "CodecLongName": "H.264 / AVC / MPEG-4 AVC / MPEG-4 part 10",
                "CodecTag": "0x31637661",
                "CodecTagString": "avc1",
                "CodecTimeBase": "1/50",
                "Profile": "High",
                "Level": "31",
                "PixFmt": "yuv420p",
                "Width": str(WIDTH),
                "Height": str(HEIGHT),
                "Sar": "1:1",
                "Dar": "16:9",
                "Fps": FPS,
                "AvgFPS": FPS,
                "HasBFrames": "2",
                "HDRType": "",
                "Rotate": "0",
                "Duration": duration,
                "NumFrames": frames,
                "StartTime": "0.000000",
                "Timebase": "1/12800",
                "Bitrate": str(KBPS - 128),
                "Lang": "und",
            }
        ],
        "AudioStreamList": [
            {
                "Index": "1",
                "CodecName": "aac",
                "CodecLongName": "AAC (Advanced Audio Coding)",
                "CodecTag": "0x6134706d",
                "CodecTagString": "mp4a",
                "CodecTimeBase": "1/44100",
                "SampleFmt": "fltp",
                "SampleRate": "44100",
                "Channels": "2",
                "ChannelLayout": "stereo",
                "Duration": duration,
                "NumFrames": str(int(video.data["duration"] * 43)),
                "StartTime": "0.000000",
                "Timebase": "1/44100",
                "Bitrate": "128",
                "Lang": "und",
            }
        ],
    }
