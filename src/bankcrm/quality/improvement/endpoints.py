from fastapi import APIRouter

router = APIRouter(prefix="/quality", tags=["quality"])
