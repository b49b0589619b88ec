"""Who is using the app and whether the server is exposed: identity, sign-in, safe binding."""
