/**
 * The admin page at /app in a real Chromium, against the service as `npm start` runs it
 * (one process, real HTTP, the page built by `npm run build`): log in, create a customer and
 * see the API's validation messages beside the fields, search, open the customer, add an
 * address, add them to a group, log out; at 1280 px and at 390 px wide, by keyboard where a
 * keyboard user would be. Screenshots of each screen go to .artifacts/screenshots.
 */
import type { BrowserContext, Page } from "playwright-core";
import t from "tap";
import { createAdminUser } from "../support/auth.js";
import { launchBrowser, requireBrowser, screenshotPath } from "../support/browser.js";
import { type TestService, startTestService } from "../support/service.js";

const EMAIL = "admin@example.com";
const PASSWORD = "a long admin password";

if (requireBrowser(t, "Browser suite (admin page)")) {
  let service: TestService;
  let browser: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  t.before(async () => {
    service = await startTestService();
    await createAdminUser(service.dataDir, EMAIL, PASSWORD);
    browser = await launchBrowser(t, { width: 1280, height: 900 });
    page = await browser.newPage();
    page.setDefaultTimeout(10_000);
    page.on("pageerror", (error) => pageErrors.push(error.message));
    page.on("console", (message) => {
      if (message.type() === "error" && !/status of 4\d\d/.test(message.text())) pageErrors.push(message.text());
    });
  });
  t.teardown(() => service?.stop());

  const heading = (name: string) => page.getByRole("heading", { level: 1, name });
  const shot = (name: string) => page.screenshot({ path: screenshotPath(name), fullPage: true });

  t.test("the page is served at /app with a policy that lets it run only its own files", async (t) => {
    const response = await fetch(`${service.baseUrl}/app/`);
    t.equal(response.status, 200);
    t.match(response.headers.get("content-type"), /^text\/html/);
    t.match(response.headers.get("content-security-policy"), /script-src 'self'/);
    t.equal(response.headers.get("x-content-type-options"), "nosniff");
    const html = await response.text();
    const script = /src="(\/app\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    t.ok(script, "the page loads its script from /app/assets");
    const asset = await fetch(`${service.baseUrl}${script}`);
    t.equal(asset.status, 200);
    t.match(asset.headers.get("cache-control"), /immutable/, "built files are cached for good: their names change with them");
    t.equal((await fetch(`${service.baseUrl}/app`)).status, 200, "/app answers the page too");
    const missing = await fetch(`${service.baseUrl}/app/assets/nope.js`);
    t.equal(missing.status, 404);
  });

  t.test("someone not logged in is sent to the login screen; a wrong password gets the API's message", async (t) => {
    await page.goto(`${service.baseUrl}/app/`);
    await heading("Log in").waitFor();
    t.match(page.url(), /#\/login\?next=/, "and comes back where they were going afterwards");
    await page.getByLabel("Email").fill(EMAIL);
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Log in" }).click();
    const alert = page.getByRole("alert").filter({ hasText: /\S/ });
    await alert.waitFor();
    t.equal((await alert.textContent())?.trim(), "Invalid email or password");
    await shot("login-failed");
  });

  t.test("logging in with the keyboard alone opens the customers", async (t) => {
    await page.goto(`${service.baseUrl}/app/#/login`);
    await heading("Log in").waitFor();
    t.equal(await page.evaluate(() => document.activeElement?.tagName), "H1", "the screen's heading has the focus");
    t.equal(
      await page.evaluate(() => document.querySelector("a, button, input, select")?.getAttribute("href")),
      "#main",
      "the first thing to tab to on every page is the link past the header",
    );
    await page.keyboard.press("Tab");
    await page.keyboard.type(EMAIL);
    await page.keyboard.press("Tab");
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press("Enter");
    await heading("Customers").waitFor();
    t.equal(await page.evaluate(() => document.activeElement?.tagName), "H1", "the focus moves to the new screen's heading");
    t.match(await page.getByRole("status").first().textContent(), /^0 customers$/);
    const cookies = await browser.cookies(service.baseUrl);
    t.ok(cookies.some((cookie) => cookie.httpOnly), "the session is an HttpOnly cookie");
    t.same(await page.evaluate(() => Object.keys(localStorage)), [], "no token kept where scripts can read it");
  });

  t.test("creating a customer: the API's validation message beside the field, then the customer's page", async (t) => {
    await page.getByRole("link", { name: "Create customer" }).click();
    await heading("Create customer").waitFor();
    await page.getByLabel("Email").fill("not-an-email");
    await page.getByLabel("First name").fill("Ada");
    await page.getByRole("button", { name: "Create customer" }).click();
    const email = page.getByLabel("Email");
    await page.locator("input[aria-invalid=true]").waitFor();
    t.equal(await email.getAttribute("aria-invalid"), "true");
    const describedBy = (await email.getAttribute("aria-describedby")) ?? "";
    const message = await page.locator(`[id="${describedBy.split(" ").at(-1)}"]`).textContent();
    t.equal(message, "Invalid email address", "beside the field, tied to it for screen readers");
    t.equal(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name), "email", "and the focus is on it");
    await shot("create-invalid");

    await email.fill("ada@example.com");
    await page.getByLabel("Last name").fill("Lovelace");
    await page.getByLabel("Company").fill("Analytical Engines");
    await page.getByRole("button", { name: "Create customer" }).click();
    await heading("Ada Lovelace").waitFor();
    t.match(page.url(), /#\/customers\/cus_/);
    await shot("customer");
  });

  t.test("a second customer with the same email gets the duplicate message beside the email", async (t) => {
    await page.goto(`${service.baseUrl}/app/#/customers/new`);
    await heading("Create customer").waitFor();
    await page.getByLabel("Email").fill("ada@example.com");
    await page.getByRole("button", { name: "Create customer" }).click();
    await page.locator("input[aria-invalid=true]").waitFor();
    const describedBy = (await page.getByLabel("Email").getAttribute("aria-describedby")) ?? "";
    t.match(await page.locator(`[id="${describedBy.split(" ").at(-1)}"]`).textContent(), /ada@example\.com.*already exists/);
  });

  t.test("searching the customers finds by name, says how many, and opens the customer", async (t) => {
    for (const name of ["Grace", "Edsger"]) {
      const created = await service.request("POST", "/admin/customers", { body: { email: `${name.toLowerCase()}@example.com`, first_name: name } });
      t.equal(created.status, 200);
    }
    await page.getByRole("link", { name: "Customers", exact: true }).click();
    await heading("Customers").waitFor();
    t.match(await page.getByRole("status").first().textContent(), /^3 customers$/);
    await shot("customers");
    await page.getByLabel("Search customers").fill("lovelace");
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByRole("status").filter({ hasText: "matches" }).waitFor();
    t.equal(await page.getByRole("status").first().textContent(), "1 customer matches “lovelace”");
    t.equal(await page.locator("tbody tr").count(), 1);
    await shot("search");
    await page.getByRole("link", { name: "ada@example.com" }).click();
    await heading("Ada Lovelace").waitFor();
  });

  t.test("adding an address as default shipping shows it on the customer's page", async (t) => {
    await page.getByText("Add an address", { exact: true }).click();
    const form = page.getByRole("form", { name: "Add an address" });
    await form.getByLabel("Address name").fill("Home");
    await form.getByLabel("Address line 1").fill("12 St James's Square");
    await form.getByLabel("City").fill("London");
    await form.getByLabel("Country code").fill("gb");
    await form.getByLabel("Default shipping address").check();
    await form.getByRole("button", { name: "Add address" }).click();
    const card = page.locator(".card").filter({ hasText: "Home" });
    await card.waitFor();
    t.match(await card.textContent(), /Default shipping/);
    t.match(await card.locator("address").textContent(), /12 St James's Square.*London.*GB/s);
    await shot("address-added");
  });

  t.test("an address is edited in place, and removed once the user confirms", async (t) => {
    const card = page.locator(".card").filter({ hasText: "Home" });
    await card.getByText("Edit Home").click();
    const edit = page.getByRole("form", { name: "Edit Home" });
    await edit.getByLabel("City").fill("Marylebone");
    await edit.getByLabel("Default billing address").check();
    await edit.getByRole("button", { name: "Save address" }).click();
    await page.locator(".card address").filter({ hasText: "Marylebone" }).waitFor();
    t.match(await page.locator(".card").filter({ hasText: "Home" }).textContent(), /Default shipping.*Default billing/s, "both flags now");

    await page.getByText("Add an address", { exact: true }).click();
    const add = page.getByRole("form", { name: "Add an address" });
    await add.getByLabel("Address name").fill("Office");
    await add.getByLabel("City").fill("Cambridge");
    await add.getByRole("button", { name: "Add address" }).click();
    const office = page.locator(".card").filter({ has: page.getByRole("heading", { name: "Office" }) });
    await office.waitFor();

    let asked = "";
    page.once("dialog", (dialog) => {
      asked = dialog.message();
      void dialog.accept();
    });
    await page.getByRole("button", { name: "Remove Office" }).click();
    // The screen is drawn again from the API's answer: one card left once it is.
    await page.waitForFunction(() => document.querySelectorAll(".card").length === 1);
    t.equal(asked, "Remove the address Office?", "asked first");
    t.equal(await page.locator(".card h3").textContent(), "Home", "the other address stays");
  });

  t.test("a group made on the groups screen can be given to the customer and taken away", async (t) => {
    const customerUrl = page.url();
    await page.getByRole("link", { name: "Customer groups" }).click();
    await heading("Customer groups").waitFor();
    await page.getByLabel("Name").fill("VIP");
    await page.getByRole("button", { name: "Create group" }).click();
    await page.getByRole("cell", { name: "VIP" }).waitFor();
    await page.goto(customerUrl);
    await heading("Ada Lovelace").waitFor();
    await page.getByLabel("Add to group").selectOption({ label: "VIP" });
    await page.getByRole("button", { name: "Add to group" }).click();
    const remove = page.getByRole("button", { name: "Remove from VIP" });
    await remove.waitFor();
    t.pass("the customer is in the group");
    await remove.click();
    await page.getByText("Not in any group.").waitFor();
    const history = page.getByRole("region", { name: "History" });
    const changes = await history.textContent();
    t.match(changes, /Customer address added/, "the history shows each change");
    t.match(changes, /first_name: Ada/, "and what it changed");
  });

  t.test("a taken group name gets the API's message beside the name", async (t) => {
    await page.getByRole("link", { name: "Customer groups" }).click();
    await heading("Customer groups").waitFor();
    await page.getByLabel("Name").fill("VIP");
    await page.getByRole("button", { name: "Create group" }).click();
    await page.locator("input[aria-invalid=true]").waitFor();
    const describedBy = (await page.getByLabel("Name").getAttribute("aria-describedby")) ?? "";
    t.match(await page.locator(`[id="${describedBy.split(" ").at(-1)}"]`).textContent(), /VIP.*already exists/);
  });

  t.test("the list goes a page at a time, in the order chosen", async (t) => {
    for (let i = 0; i < 22; i++) {
      t.equal((await service.request("POST", "/admin/customers", { body: { email: `page${String(i).padStart(2, "0")}@example.com` } })).status, 200);
    }
    await page.goto(`${service.baseUrl}/app/#/customers`);
    await heading("Customers").waitFor();
    t.equal(await page.getByRole("status").first().textContent(), "25 customers");
    await page.getByLabel("Order").selectOption({ label: "Email, A to Z" });
    await page.getByRole("button", { name: "Search" }).click();
    await page.waitForURL(/order=email/);
    await page.getByText("Showing 1–20 of 25").waitFor();
    t.equal(await page.locator("tbody tr td a").first().textContent(), "ada@example.com");
    await page.getByRole("link", { name: "Next page" }).click();
    await page.getByText("Showing 21–25 of 25").waitFor();
    t.same(
      await page.locator("tbody tr td a").allTextContents(),
      ["page17@example.com", "page18@example.com", "page19@example.com", "page20@example.com", "page21@example.com"],
      "the last five, still in email order",
    );
    t.equal(await page.getByRole("link", { name: "Next page" }).count(), 0, "no page after the last");
    await page.getByRole("link", { name: "Previous page" }).click();
    await page.getByText("Showing 1–20 of 25").waitFor();
  });

  t.test("at 390 px wide nothing needs scrolling sideways", async (t) => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const screen of ["#/customers", "#/customers/new", "#/groups"]) {
      await page.goto(`${service.baseUrl}/app/${screen}`);
      await page.locator("h1").waitFor();
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      t.ok(width <= 390, `${screen}: ${width} px wide`);
    }
    await page.goto(`${service.baseUrl}/app/#/customers`);
    await heading("Customers").waitFor();
    await shot("customers-390px");
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  t.test("every field has a label a screen reader can read", async (t) => {
    for (const screen of ["#/customers", "#/customers/new", "#/groups"]) {
      await page.goto(`${service.baseUrl}/app/${screen}`);
      await page.locator("h1").waitFor();
      const unlabelled = await page.evaluate(() =>
        [...document.querySelectorAll("input, select, button")].filter((element) => !(element as HTMLInputElement).labels?.length && !element.getAttribute("aria-label") && !element.textContent?.trim()).map((element) => element.outerHTML),
      );
      t.same(unlabelled, [], screen);
    }
  });

  t.test("a session that ended while a form was open: the login, then back to the form", async (t) => {
    await page.goto(`${service.baseUrl}/app/#/customers/new`);
    await heading("Create customer").waitFor();
    await browser.clearCookies();
    await page.getByLabel("Email").fill("late@example.com");
    await page.getByRole("button", { name: "Create customer" }).click();
    await heading("Log in").waitFor();
    t.match(page.url(), /next=%23%2Fcustomers%2Fnew/, "remembering where the user was");
    await page.getByLabel("Email").fill(EMAIL);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Log in" }).click();
    await heading("Create customer").waitFor();
    t.pass("back on the form");
  });

  t.test("logging out ends the session: the customers are behind the login again", async (t) => {
    await page.getByRole("button", { name: "Log out" }).click();
    await heading("Log in").waitFor();
    await page.goto(`${service.baseUrl}/app/#/customers`);
    await heading("Log in").waitFor();
    t.same(
      (await browser.cookies(service.baseUrl)).filter((cookie) => cookie.value !== ""),
      [],
      "no session cookie left",
    );
    t.same(pageErrors, [], "the page threw nothing along the way");
  });
}
