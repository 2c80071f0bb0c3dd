from django import forms


class EndpointForm(forms.Form):
    url = forms.CharField(label="Address (URL)", max_length=500,
                          widget=forms.URLInput(attrs={"placeholder": "https://example.com/lastmile-events"}))
    event_types = forms.CharField(
        label="Events", max_length=2000, initial="*",
        help_text="* for every event, a kind such as payment.*, or types such as payment.posted, "
                  "statement.issued (separated by commas)")
    description = forms.CharField(label="What it is for (optional)", max_length=200, required=False)
