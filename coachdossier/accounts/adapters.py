from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        # Accounts are created by management (staff) or by invitation (clients), never by sign-up.
        return False


class MFAAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator):
        # LAW-32: a staff account cannot switch MFA off; it may only replace it.
        return not authenticator.user.is_staff_member
