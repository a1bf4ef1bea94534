from django.urls import path

from accounts import views_account, views_activation, views_hr

app_name = "accounts"
urlpatterns = [
    # the signed-in person
    path("", views_account.account, name="account"),
    path("password/", views_account.PasswordChange.as_view(), name="password_change"),
    path("sign-out-everywhere/", views_account.sign_out_everywhere, name="sign_out_everywhere"),
    # public: first sign-in and password reset
    path("activate/", views_activation.activate, name="activate"),
    path("activate/password/", views_activation.activate_password, name="activate_password"),
    path("activate/<uidb64>/<code>/", views_activation.activate_link, name="activate_link"),
    path("password-reset/", views_account.PasswordReset.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        views_account.PasswordResetDone.as_view(),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        views_account.PasswordResetConfirm.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/", views_account.PasswordResetComplete.as_view(), name="password_reset_complete"
    ),
    # HR
    path("activation/", views_hr.activation_issue_page, name="activation"),
    path("people/<int:pk>/force-reset/", views_hr.force_reset, name="force_reset"),
]
