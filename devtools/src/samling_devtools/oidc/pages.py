"""The provider's own pages: the sign-in form (what the browser tests fill in) and refusals."""

from __future__ import annotations

from html import escape

from fastapi.responses import HTMLResponse


def login_page(params: dict[str, str], error: str | None, username: str = "") -> HTMLResponse:
    hidden = "".join(
        f'<input type="hidden" name="{name}" value="{escape(value)}">'
        for name, value in params.items()
    )
    alert = f'<p role="alert" id="error">{escape(error)}</p>' if error else ""
    invalid = ' aria-invalid="true" aria-describedby="error"' if error else ""
    html = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in: Samling development identity provider</title></head>
<body><main>
<h1>Sign in to Samling</h1>
<p>Development identity provider: the demo users are listed by <code>samling dev up</code>.</p>
{alert}
<form method="post" action="/authorize">{hidden}
<p><label for="username">Username</label><br>
<input id="username" name="username" autocomplete="username" value="{escape(username)}"{invalid}></p>
<p><label for="password">Password</label><br>
<input id="password" name="password" type="password" autocomplete="current-password"{invalid}></p>
<p><button type="submit">Sign in</button></p>
</form></main></body></html>"""
    return HTMLResponse(html, status_code=401 if error else 200)


def refused_page(reason: str) -> HTMLResponse:
    html = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Refused</title>'
        f"</head><body><main><h1>Refused</h1><p>{escape(reason)}</p></main></body></html>"
    )
    return HTMLResponse(html, status_code=400)
