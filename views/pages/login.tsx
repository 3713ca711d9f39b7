// The sign-in page: a plain form (works without JavaScript), no navigation.
import { Csrf, ErrorBox } from "../components.tsx";
import { CsrfMeta } from "../session.tsx";

export function LoginPage({ next, error, username = "" }: { next: string; error?: string; username?: string }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <CsrfMeta />
        <title>Sign in · Tern</title>
        <link rel="stylesheet" href="/static/app.css" />
        <link rel="icon" href="/static/favicon.svg" />
      </head>
      <body>
        <main id="main" class="login">
          <h1>Tern</h1>
          {error && <ErrorBox title={error} messages={[]} />}
          <form method="post" action="/login" class="panel">
            <Csrf />
            <input type="hidden" name="next" value={next} />
            <label class="f">User<input type="text" name="username" value={username} autocomplete="username" required autofocus /></label>
            <label class="f">Password<input type="password" name="password" autocomplete="current-password" required /></label>
            <button type="submit">Sign in</button>
          </form>
        </main>
      </body>
    </html>
  );
}
