import { render } from "preact";
import { App } from "./App";
import { init } from "./state/boot";
import "./embed";
import "./styles.css";

render(<App />, document.getElementById("app") as HTMLElement);
void init();
