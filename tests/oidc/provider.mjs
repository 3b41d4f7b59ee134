// A real OpenID Connect provider for the editor sign-in tests (tests/test_auth_browser.py), on 127.0.0.1.
//
// One confidential client and one account: the test sets, in the environment,
//   OIDC_PORT           the port to listen on (127.0.0.1)
//   OIDC_CLIENT_ID      the client's id, OIDC_CLIENT_SECRET its secret
//   OIDC_REDIRECT_URIS  the app's http://127.0.0.1:PORT/oauth2callback, space-separated if several
// The sign-in form is oidc-provider's own development form (any password); only the login
// `editor` names an account. Consent is granted without asking, as for a first-party app.
// Logs "ready <issuer>" once it listens (the test waits for its discovery document).
// For tests only: its signing keys and cookie keys are not secret.
import Provider from 'oidc-provider';

const env = (name) => {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is not set`);
    process.exit(2);
  }
  return value;
};

const port = Number(env('OIDC_PORT'));
const issuer = `http://127.0.0.1:${port}`;
const redirectUris = env('OIDC_REDIRECT_URIS').split(' ').filter(Boolean);
const LOGIN = 'editor';
const ACCOUNT = { email: 'ada.editor@example.org', email_verified: true, name: 'Ada Editor' };
const SCOPE = 'openid email profile';

const provider = new Provider(issuer, {
  clients: [{
    client_id: env('OIDC_CLIENT_ID'),
    client_secret: env('OIDC_CLIENT_SECRET'),
    redirect_uris: redirectUris,
    post_logout_redirect_uris: redirectUris,
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  // The identity in the ID Token itself, as Streamlit reads it (not only from the userinfo endpoint).
  conformIdTokenClaims: false,
  cookies: { keys: ['contact-atlas-tests-only'] },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: {
      enabled: true,
      // The sign-out confirmation, with nothing fetched from elsewhere.
      async logoutSource(ctx, form) {
        ctx.type = 'html';
        ctx.body = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Sign out</title></head><body>
${form}<button type="submit" form="op.logoutForm" name="logout" value="yes">Yes, sign me out</button>
</body></html>`;
      },
    },
  },
  async findAccount(_ctx, id) {
    if (id !== LOGIN) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...ACCOUNT }) };
  },
  async loadExistingGrant(ctx) {
    const { client, session } = ctx.oidc;
    const grantId = ctx.oidc.result?.consent?.grantId || session.grantIdFor(client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
    grant.addOIDCScope(SCOPE);
    await grant.save();
    return grant;
  },
});

provider.listen(port, '127.0.0.1', () => {
  console.log(`ready ${issuer}`);
});
