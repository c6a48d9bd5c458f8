from __future__ import annotations

from django.contrib.auth import views as auth_views

from attendwise.web.forms import SignInForm


class SignInView(auth_views.LoginView):
    template_name = "attendwise/pages/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    pass
