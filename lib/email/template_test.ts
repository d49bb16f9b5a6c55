import assert from "node:assert/strict";
import { loadConfig } from "../config.ts";
import { linksIn } from "./eml.ts";
import { appLink, renderEmail } from "./template.ts";

const input = {
  to: "ada@example.com",
  kind: "verify_email",
  subject: "Confirm your email address",
  heading: "Confirm your email address",
  paragraphs: [
    "Someone (we hope you) signed up with <ada@example.com> & more.",
  ],
  action: {
    label: "Confirm my email address",
    url: "https://islet.example/verify-email?token=a-b_c&next=%2Fx",
  },
  after: ["If you did not sign up, ignore this message."],
};

Deno.test("one template gives the same words in the text and the HTML part", () => {
  const m = renderEmail(input);
  assert.equal(m.to, input.to);
  assert.equal(m.kind, "verify_email");
  assert.equal(m.subject, input.subject);
  for (const words of [input.heading, input.after[0], input.action.label]) {
    assert.ok(m.text.includes(words), words);
    assert.ok(m.html.includes(words), words);
  }
  assert.ok(m.text.includes(input.paragraphs[0]), "text is not escaped");
  assert.ok(
    m.html.includes(
      "Someone (we hope you) signed up with &lt;ada@example.com&gt; &amp; more.",
    ),
  );
  // The link is the text part's only link, whole, on a line of its own.
  assert.deepEqual(linksIn(m.text), [input.action.url]);
  assert.match(
    m.text,
    /^https:\/\/islet\.example\/verify-email\?token=a-b_c&next=%2Fx$/m,
  );
  assert.match(m.text, /\n-- \nIslet\n$/);
});

Deno.test("the HTML part is accessible and inert: language, title, heading, link text, no script or images", () => {
  const { html } = renderEmail(input);
  assert.match(html, /^<!DOCTYPE html>\n<html lang="en">/);
  assert.match(html, /<title>Confirm your email address<\/title>/);
  assert.match(html, /<h1 [^>]*>Confirm your email address<\/h1>/);
  const href =
    'href="https://islet.example/verify-email?token=a-b_c&amp;next=%2Fx"';
  assert.ok(
    html.includes(`<a ${href} style="display:inline-block`),
    "the action is a real link",
  );
  assert.match(html, />Confirm my email address<\/a>/);
  assert.doesNotMatch(html, /<script|<img|<style|<link|javascript:/i);
  // Every link is absolute.
  for (const m of html.matchAll(/href="([^"]*)"/g)) {
    assert.match(m[1], /^https?:\/\//);
  }
});

Deno.test("a message without an action has no link", () => {
  const m = renderEmail({ ...input, action: undefined, after: undefined });
  assert.deepEqual(linksIn(m.text), []);
  assert.doesNotMatch(m.html, /<a /);
});

Deno.test("a relative or non-http action link is refused", () => {
  for (
    const url of [
      "/verify-email?token=x",
      "javascript:alert(1)",
      "//evil.example/x",
      "",
    ]
  ) {
    assert.throws(
      () => renderEmail({ ...input, action: { label: "Go", url } }),
      /absolute http\(s\) URL/,
      url,
    );
  }
});

Deno.test("appLink builds absolute links on APP_URL, with the query encoded", () => {
  const config = loadConfig({ APP_URL: "https://islet.example" });
  assert.equal(
    appLink(config, "/verify-email", { token: "a+b/c=", next: "/x y" }),
    "https://islet.example/verify-email?token=a%2Bb%2Fc%3D&next=%2Fx+y",
  );
  assert.equal(appLink(config, "/login"), "https://islet.example/login");
  assert.equal(
    appLink(loadConfig({ PORT: "8123" }), "/login"),
    "http://localhost:8123/login",
  );
  for (const path of ["login", "//evil.example/x", "https://evil.example/"]) {
    assert.throws(() => appLink(config, path), /path starting with one/);
  }
});
