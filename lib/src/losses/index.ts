export { meanSquaredError, squaredErrorPerExample } from "./reconstruction";
