import { render } from "preact";
import { App } from "./App";
import { init } from "./state/actions";
import "./styles.css";

render(<App />, document.getElementById("app") as HTMLElement);
void init();
