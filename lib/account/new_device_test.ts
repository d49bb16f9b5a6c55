import assert from "node:assert/strict";
import { audit } from "../db/audit.ts";
import { dbTest } from "../db/testing.ts";
import { createUser } from "../db/users.ts";
import { noticeIfNewDevice } from "./new_device.ts";
import { outboxNoticeDeps, queuedMail } from "./testing.ts";

const FIREFOX_LINUX =
  "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0";
const FIREFOX_LINUX_NEWER =
  "Mozilla/5.0 (X11; Linux x86_64; rv:141.0) Gecko/20100101 Firefox/141.0";
const SAFARI_IPHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";

dbTest(
  "new device: mailed for a browser or system not seen on this account; not for a version update, another address, or the first sign-in",
  async (db) => {
    const user = await createUser(db, {
      email: "d@example.com",
      username: "d",
    });
    const deps = outboxNoticeDeps();
    const signIn = async (ua: string, ip = "203.0.113.1") => {
      await audit(db, {
        userId: user.id,
        event: "auth.sign_in",
        ip,
        userAgent: ua,
      });
      return await noticeIfNewDevice(db, deps, user, { ip, userAgent: ua });
    };
    assert.equal(
      await signIn(FIREFOX_LINUX),
      false,
      "no history: the owner's first sign-in",
    );
    assert.equal(
      await signIn(FIREFOX_LINUX_NEWER, "198.51.100.2"),
      false,
      "same device, newer browser, other address",
    );
    assert.equal(await queuedMail(db).then((m) => m.length), 0);

    assert.equal(await signIn(SAFARI_IPHONE, "192.0.2.44"), true);
    const [mail] = await queuedMail(db);
    assert.equal(mail.to, user.email);
    assert.equal(mail.kind, "security_new_device");
    assert.match(mail.text, /Safari on iPhone/);
    assert.match(mail.text, /192\.0\.2\.44/);
    assert.match(mail.text, /https:\/\/islet\.test\/account\/not-me\?token=/);
    assert.equal(
      Number(
        (await db.get(
          "SELECT count(*) AS n FROM audit_log WHERE event = 'security.new_device'",
        ))?.n,
      ),
      1,
    );
    // Seen now: the next sign-in from it is quiet.
    assert.equal(await signIn(SAFARI_IPHONE), false);

    // The sign-up's device counts as seen.
    const other = await createUser(db, {
      email: "e@example.com",
      username: "e",
    });
    await audit(db, {
      userId: other.id,
      event: "auth.sign_up",
      userAgent: SAFARI_IPHONE,
    });
    await audit(db, {
      userId: other.id,
      event: "auth.sign_in",
      userAgent: SAFARI_IPHONE,
    });
    assert.equal(
      await noticeIfNewDevice(db, deps, other, {
        ip: "x",
        userAgent: SAFARI_IPHONE,
      }),
      false,
    );
    // Failed sign-ins do not make a device known.
    await audit(db, {
      userId: other.id,
      event: "auth.sign_in_failed",
      userAgent: FIREFOX_LINUX,
    });
    await audit(db, {
      userId: other.id,
      event: "auth.sign_in",
      userAgent: FIREFOX_LINUX,
    });
    assert.equal(
      await noticeIfNewDevice(db, deps, other, {
        ip: "x",
        userAgent: FIREFOX_LINUX,
      }),
      true,
    );
  },
);

dbTest(
  "new device with two-factor on: a password accepted without its code does not make a device known; the notice follows the code",
  async (db) => {
    const user = await createUser(db, {
      email: "t@example.com",
      username: "t",
    });
    const deps = outboxNoticeDeps();
    const row = (
      event: "auth.sign_in" | "auth.second_factor_passed",
      ua: string,
    ) =>
      audit(db, {
        userId: user.id,
        event,
        userAgent: ua,
        details: event === "auth.sign_in" ? { secondFactor: "pending" } : null,
      });
    // The owner's own sign-in, code and all, from Firefox.
    await audit(db, {
      userId: user.id,
      event: "auth.sign_up",
      userAgent: FIREFOX_LINUX,
    });
    await row("auth.sign_in", FIREFOX_LINUX);
    await row("auth.second_factor_passed", FIREFOX_LINUX);
    assert.equal(
      await noticeIfNewDevice(db, deps, user, {
        ip: "x",
        userAgent: FIREFOX_LINUX,
      }),
      false,
    );
    // Someone with the password, on an iPhone, never gives the code.
    await row("auth.sign_in", SAFARI_IPHONE);
    await row("auth.sign_in", SAFARI_IPHONE);
    // The owner, later, on an iPhone for real: that device is new.
    await row("auth.sign_in", SAFARI_IPHONE);
    await row("auth.second_factor_passed", SAFARI_IPHONE);
    assert.equal(
      await noticeIfNewDevice(db, deps, user, {
        ip: "x",
        userAgent: SAFARI_IPHONE,
      }),
      true,
      "the code-less sign-ins did not teach the rule the iPhone",
    );
    // And known from then on.
    await row("auth.sign_in", SAFARI_IPHONE);
    await row("auth.second_factor_passed", SAFARI_IPHONE);
    assert.equal(
      await noticeIfNewDevice(db, deps, user, {
        ip: "x",
        userAgent: SAFARI_IPHONE,
      }),
      false,
    );
  },
);
