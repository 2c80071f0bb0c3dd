from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from lastmile.api.urls import urlpatterns as api_urls
from lastmile.billing.processors.urls import urlpatterns as processor_urls
from lastmile.console.urls import urlpatterns as console_urls
from lastmile.core import twofactor

urlpatterns = [
    path("", RedirectView.as_view(url="/console/", permanent=False)),
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(template_name="registration/login.html"), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/2fa/", twofactor.verify, name="otp_verify"),  # issue 15: the code after the password
    path("accounts/2fa/enrol/", twofactor.enrol, name="otp_enrol"),
]
urlpatterns += api_urls
urlpatterns += [path("console/", include((console_urls, "console")))]
urlpatterns += processor_urls
urlpatterns += [path("portal/", include(("lastmile.portal.urls", "portal")))]
urlpatterns += [path("internal/radius/", include(("lastmile.network.urls", "radius")))]  # NET-3, rlm_rest
