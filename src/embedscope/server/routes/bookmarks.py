"""Bookmarks: named page states (projection and parameters, camera, selection, colours) the page defines.

A state is checked before it is saved (server/bookmarks.py: nesting, size, numbers JSON has): 422 or 413 with the
one error shape; a damaged entry of the file is listed in `skipped`, never a 500.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from ..bookmarks import MAX_NAME, NAME_PATTERN
from . import ERRORS, State

router = APIRouter(tags=["bookmarks"], responses=ERRORS)

PATTERN: dict[str, Any] = {"pattern": NAME_PATTERN}  # in the schema; bookmarks.check_name checks it (look-ahead)
Name = Annotated[
    str, Path(min_length=1, max_length=MAX_NAME, json_schema_extra=PATTERN, description="the bookmark's name")
]


class Bookmark(BaseModel):
    name: str
    state: Any = Field(description="the page's state document (any JSON)")
    created: str = Field(description="UTC, ISO 8601")
    updated: str = Field(description="UTC, ISO 8601")


class BookmarkList(BaseModel):
    bookmarks: list[Bookmark]
    skipped: list[str] = Field(
        default=[],
        description="damaged entries of the bookmarks file, not served: where each is and why (kept, not deleted)",
    )


class SaveBookmark(BaseModel):
    model_config = ConfigDict(strict=True)  # no true for 1, no "5" for 5: what the schema says

    state: Any = Field(description="the page's state document (any JSON)")


class RenameBookmark(BaseModel):
    model_config = ConfigDict(strict=True)  # no true for 1, no "5" for 5: what the schema says

    new_name: str = Field(min_length=1, max_length=MAX_NAME, json_schema_extra=PATTERN)


class Deleted(BaseModel):
    deleted: str


@router.get("/bookmarks", response_model=BookmarkList, summary="Every saved bookmark, oldest first")
async def list_bookmarks(state: State) -> BookmarkList:
    listing = await run_in_threadpool(state.bookmarks.listing)
    return BookmarkList(bookmarks=[Bookmark(**item) for item in listing.bookmarks], skipped=listing.skipped)


@router.get("/bookmarks/{name}", response_model=Bookmark, summary="One bookmark")
async def get_bookmark(name: Name, state: State) -> Bookmark:
    return Bookmark(**await run_in_threadpool(state.bookmarks.get, name))


@router.put("/bookmarks/{name}", response_model=Bookmark, summary="Save a bookmark (create, or replace its state)")
async def save_bookmark(name: Name, body: SaveBookmark, state: State) -> Bookmark:
    return Bookmark(**await run_in_threadpool(state.bookmarks.save, name, body.state))


@router.post("/bookmarks/{name}/rename", response_model=Bookmark, summary="Rename a bookmark")
async def rename_bookmark(name: Name, body: RenameBookmark, state: State) -> Bookmark:
    return Bookmark(**await run_in_threadpool(state.bookmarks.rename, name, body.new_name))


@router.delete("/bookmarks/{name}", response_model=Deleted, summary="Delete a bookmark")
async def delete_bookmark(name: Name, state: State) -> Deleted:
    await run_in_threadpool(state.bookmarks.delete, name)
    return Deleted(deleted=name)
