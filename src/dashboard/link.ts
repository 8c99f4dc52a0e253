/** The dashboard's address with a token, as `up` and `dashboard` print it. */

/** The URL to open: the dashboard with the token in the fragment, which browsers never send. */
export function dashboardLink(url: string, token: string | undefined): string {
  return token ? `${url}/#token=${encodeURIComponent(token)}` : `${url}/`;
}
