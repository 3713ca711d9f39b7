// An error as a page (or as a fragment where htmx asked for one): a readable message, never
// JSON and never a stack trace.
import { ErrorBox } from "../components.tsx";
import { Header, Layout } from "../layout.tsx";

export function ErrorPage({ status, title, messages, partial }: { status: number; title: string; messages: string[]; partial: boolean }) {
  const body = <ErrorBox title={title} messages={messages} />;
  if (partial) return body;
  return (
    <Layout title={title} active="">
      <Header title={status === 404 ? "Not found" : "Something went wrong"} />
      {body}
      <p><a href="/">Back to the overview</a></p>
    </Layout>
  );
}
