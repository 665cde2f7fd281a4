import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";

import { EmptyState, Field, FormAlert, Skeleton } from "../src/index";

afterEach(cleanup);

describe("Field", () => {
  it("ties the label, the hint and the error to the input", () => {
    render(<Field id="email" label="Email address" hint="We send the link there." error="Please fill in this field." describedBy="intro" />);
    const input = screen.getByLabelText("Email address");
    expect(input.tagName).toBe("INPUT");
    expect(input.getAttribute("aria-invalid")).toBe("true");
    expect(input.getAttribute("aria-describedby")).toBe("intro email-help email-error");
    expect(document.getElementById("email-help")?.textContent).toBe("We send the link there.");
    expect(document.getElementById("email-error")?.textContent).toBe("Please fill in this field.");
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("without hint or error, the input is neither invalid nor described", () => {
    render(<Field id="name" label="Name" name="name" defaultValue="Ada" />);
    const input = screen.getByLabelText("Name") as HTMLInputElement;
    expect(input.value).toBe("Ada");
    expect(input.name).toBe("name");
    expect(input.hasAttribute("aria-invalid")).toBe(false);
    expect(input.hasAttribute("aria-describedby")).toBe(false);
  });

  it("draws a select with its options, and announces an error when asked", () => {
    render(
      <Field as="select" id="role" label="Role" error="Pick a role." errorRole="alert">
        <option value="owner">Owner</option>
        <option value="member">Member</option>
      </Field>,
    );
    const select = screen.getByLabelText("Role");
    expect(select.tagName).toBe("SELECT");
    expect(select.hasAttribute("as")).toBe(false);
    expect(screen.getByRole("alert").textContent).toBe("Pick a role.");
  });
});

describe("FormAlert", () => {
  it("says nothing without messages, each message in one alert otherwise", () => {
    const { container, rerender } = render(<FormAlert messages={[]} />);
    expect(container.innerHTML).toBe("");
    rerender(<FormAlert messages={["Try again in a minute.", "Check the address."]} />);
    expect(screen.getByRole("alert").textContent).toBe("Try again in a minute.Check the address.");
  });
});

describe("Skeleton and EmptyState", () => {
  it("a labelled skeleton is a busy status that says what loads; an unlabelled one is hidden", () => {
    const { container } = render(
      <>
        <Skeleton lines={2} label="Loading the members…" />
        <Skeleton />
      </>,
    );
    const status = screen.getByRole("status");
    expect(status.getAttribute("aria-busy")).toBe("true");
    expect(status.textContent).toBe("Loading the members…");
    expect(status.querySelectorAll(".ui-skeleton-bar")).toHaveLength(2);
    expect(container.querySelector('[aria-hidden="true"]')?.querySelectorAll(".ui-skeleton-bar")).toHaveLength(3);
  });

  it("an empty state says what is missing and what to do", () => {
    render(<EmptyState title="No stores yet" action={<a href="/sign-up">Create a store</a>}>Your stores appear here.</EmptyState>);
    expect(screen.getByText("No stores yet")).toBeTruthy();
    expect(screen.getByText("Your stores appear here.")).toBeTruthy();
    expect(screen.getByRole("link", { name: "Create a store" }).getAttribute("href")).toBe("/sign-up");
  });
});
