from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

SECTIONS = ["Overview", "Activity", "Settings", "Help"]


@login_required(login_url="/login/")
def page(request: HttpRequest) -> HttpResponse:
    return render(request, "bench/standard.html", {"sections": SECTIONS})


urlpatterns = [path("", page)]
